# A service behind a Standard internal load balancer, offered through a private link service
# (its NAT addresses in a subnet with the service's network policies disabled), and a
# private endpoint in a consumers' subnet that connects by the service's alias. The
# subscription is on the service's auto-approval list, so the connection is approved at once.

data "azurerm_client_config" "current" {}

resource "azurerm_resource_group" "rg" {
  name     = "tf-private-link-service"
  location = var.location
}

resource "azurerm_virtual_network" "vnet" {
  name                = "vnet"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  address_space       = ["10.8.0.0/16"]
}

resource "azurerm_subnet" "service" {
  name                 = "service"
  resource_group_name  = azurerm_resource_group.rg.name
  virtual_network_name = azurerm_virtual_network.vnet.name
  address_prefixes     = ["10.8.1.0/24"]
}

resource "azurerm_subnet" "nat" {
  name                                          = "nat"
  resource_group_name                           = azurerm_resource_group.rg.name
  virtual_network_name                          = azurerm_virtual_network.vnet.name
  address_prefixes                              = ["10.8.2.0/24"]
  private_link_service_network_policies_enabled = false
}

resource "azurerm_subnet" "consumers" {
  name                 = "consumers"
  resource_group_name  = azurerm_resource_group.rg.name
  virtual_network_name = azurerm_virtual_network.vnet.name
  address_prefixes     = ["10.8.3.0/24"]
}

resource "azurerm_lb" "service" {
  name                = "service-lb"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  sku                 = "Standard"

  frontend_ip_configuration {
    name                          = "frontend"
    subnet_id                     = azurerm_subnet.service.id
    private_ip_address_allocation = "Dynamic"
  }
}

resource "azurerm_private_link_service" "service" {
  name                = "reports"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name

  auto_approval_subscription_ids              = [data.azurerm_client_config.current.subscription_id]
  visibility_subscription_ids                 = [data.azurerm_client_config.current.subscription_id]
  load_balancer_frontend_ip_configuration_ids = [azurerm_lb.service.frontend_ip_configuration[0].id]

  nat_ip_configuration {
    name               = "primary"
    subnet_id          = azurerm_subnet.nat.id
    private_ip_address = "10.8.2.10"
    primary            = true
  }

  nat_ip_configuration {
    name      = "secondary"
    subnet_id = azurerm_subnet.nat.id
    primary   = false
  }
}

resource "azurerm_private_endpoint" "consumer" {
  name                = "reports-endpoint"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  subnet_id           = azurerm_subnet.consumers.id

  private_service_connection {
    name                              = "reports"
    private_connection_resource_alias = azurerm_private_link_service.service.alias
    is_manual_connection              = true
    request_message                   = "the reports client"
  }
}

output "alias" {
  value = azurerm_private_link_service.service.alias
}

output "nat_ip" {
  value = azurerm_private_link_service.service.nat_ip_configuration[0].private_ip_address
}

output "endpoint_ip" {
  value = azurerm_private_endpoint.consumer.private_service_connection[0].private_ip_address
}
