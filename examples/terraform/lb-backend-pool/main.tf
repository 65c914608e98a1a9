# "Load balancing on multiple IP configurations": a NIC's secondary IP configuration joins
# an internal load balancer's backend pool.

resource "azurerm_resource_group" "rg" {
  name     = "tf-lb-backend-pool"
  location = var.location
}

resource "azurerm_virtual_network" "vnet" {
  name                = "vnet1"
  resource_group_name = azurerm_resource_group.rg.name
  location            = azurerm_resource_group.rg.location
  address_space       = ["10.3.0.0/16"]
}

resource "azurerm_subnet" "subnet" {
  name                 = "subnet1"
  resource_group_name  = azurerm_resource_group.rg.name
  virtual_network_name = azurerm_virtual_network.vnet.name
  address_prefixes     = ["10.3.1.0/24"]
}

resource "azurerm_lb" "lb" {
  name                = "lb1"
  resource_group_name = azurerm_resource_group.rg.name
  location            = azurerm_resource_group.rg.location
  sku                 = "Standard"

  frontend_ip_configuration {
    name                          = "frontend"
    subnet_id                     = azurerm_subnet.subnet.id
    private_ip_address_allocation = "Dynamic"
  }
}

resource "azurerm_lb_backend_address_pool" "pool" {
  name            = "pool1"
  loadbalancer_id = azurerm_lb.lb.id
}

resource "azurerm_network_interface" "nic" {
  name                = "nic1"
  resource_group_name = azurerm_resource_group.rg.name
  location            = azurerm_resource_group.rg.location

  ip_configuration {
    name                          = "primary"
    primary                       = true
    subnet_id                     = azurerm_subnet.subnet.id
    private_ip_address_allocation = "Dynamic"
  }

  ip_configuration {
    name                          = "secondary"
    subnet_id                     = azurerm_subnet.subnet.id
    private_ip_address_allocation = "Dynamic"
  }
}

resource "azurerm_network_interface_backend_address_pool_association" "secondary" {
  network_interface_id    = azurerm_network_interface.nic.id
  ip_configuration_name   = "secondary"
  backend_address_pool_id = azurerm_lb_backend_address_pool.pool.id
}

# An IP-based pool: its member is an address in the network, not a NIC's configuration.
resource "azurerm_lb_backend_address_pool" "by_ip" {
  name            = "pool2"
  loadbalancer_id = azurerm_lb.lb.id
}

resource "azurerm_lb_backend_address_pool_address" "appliance" {
  name                    = "appliance"
  backend_address_pool_id = azurerm_lb_backend_address_pool.by_ip.id
  virtual_network_id      = azurerm_virtual_network.vnet.id
  ip_address              = "10.3.1.50"
}
