# A hub and a spoke network peered both ways, the spoke's subnet going out through a NAT
# gateway with a public IP, a NIC that is a member of an application security group, and a
# private DNS zone linked to both networks with a record for the NIC. Peerings and NAT
# gateways are kept as sent (not modelled); the NIC's application security group is checked
# (it must exist, in the NIC's region) and cannot be deleted while named; the zone is
# created with its SOA record set (which the provider reads back), counts its links and
# record sets, and cannot be deleted while linked.

resource "azurerm_resource_group" "net" {
  name     = "tf-hub-spoke"
  location = var.location
}

resource "azurerm_virtual_network" "hub" {
  name                = "hub"
  resource_group_name = azurerm_resource_group.net.name
  location            = azurerm_resource_group.net.location
  address_space       = ["10.10.0.0/16"]
}

resource "azurerm_virtual_network" "spoke" {
  name                = "spoke"
  resource_group_name = azurerm_resource_group.net.name
  location            = azurerm_resource_group.net.location
  address_space       = ["10.20.0.0/16"]
}

resource "azurerm_subnet" "spoke_app" {
  name                 = "app"
  resource_group_name  = azurerm_resource_group.net.name
  virtual_network_name = azurerm_virtual_network.spoke.name
  address_prefixes     = ["10.20.1.0/24"]
}

resource "azurerm_virtual_network_peering" "hub_to_spoke" {
  name                      = "hub-to-spoke"
  resource_group_name       = azurerm_resource_group.net.name
  virtual_network_name      = azurerm_virtual_network.hub.name
  remote_virtual_network_id = azurerm_virtual_network.spoke.id
  allow_forwarded_traffic   = true
}

resource "azurerm_virtual_network_peering" "spoke_to_hub" {
  name                      = "spoke-to-hub"
  resource_group_name       = azurerm_resource_group.net.name
  virtual_network_name      = azurerm_virtual_network.spoke.name
  remote_virtual_network_id = azurerm_virtual_network.hub.id
}

resource "azurerm_public_ip" "nat" {
  name                = "nat-ip"
  resource_group_name = azurerm_resource_group.net.name
  location            = azurerm_resource_group.net.location
  allocation_method   = "Static"
  sku                 = "Standard"
}

resource "azurerm_nat_gateway" "nat" {
  name                = "nat"
  resource_group_name = azurerm_resource_group.net.name
  location            = azurerm_resource_group.net.location
  sku_name            = "Standard"
}

resource "azurerm_nat_gateway_public_ip_association" "nat" {
  nat_gateway_id       = azurerm_nat_gateway.nat.id
  public_ip_address_id = azurerm_public_ip.nat.id
}

resource "azurerm_subnet_nat_gateway_association" "app" {
  subnet_id      = azurerm_subnet.spoke_app.id
  nat_gateway_id = azurerm_nat_gateway.nat.id
}

resource "azurerm_application_security_group" "app" {
  name                = "app-asg"
  resource_group_name = azurerm_resource_group.net.name
  location            = azurerm_resource_group.net.location
}

resource "azurerm_network_interface" "app" {
  name                = "app-nic"
  resource_group_name = azurerm_resource_group.net.name
  location            = azurerm_resource_group.net.location
  ip_configuration {
    name                          = "ipconfig1"
    subnet_id                     = azurerm_subnet.spoke_app.id
    private_ip_address_allocation = "Dynamic"
  }
}

resource "azurerm_network_interface_application_security_group_association" "app" {
  network_interface_id          = azurerm_network_interface.app.id
  application_security_group_id = azurerm_application_security_group.app.id
}

resource "azurerm_private_dns_zone" "internal" {
  name                = "corp.internal"
  resource_group_name = azurerm_resource_group.net.name
  soa_record {
    email        = "hostmaster.corp.internal"
    refresh_time = 1800
  }
}

resource "azurerm_private_dns_zone_virtual_network_link" "hub" {
  name                  = "hub"
  private_dns_zone_id   = azurerm_private_dns_zone.internal.id
  virtual_network_id    = azurerm_virtual_network.hub.id
  registration_enabled  = true
}

resource "azurerm_private_dns_zone_virtual_network_link" "spoke" {
  name                  = "spoke"
  private_dns_zone_id   = azurerm_private_dns_zone.internal.id
  virtual_network_id    = azurerm_virtual_network.spoke.id
}

resource "azurerm_private_dns_a_record" "app" {
  name                = "app"
  private_dns_zone_id = azurerm_private_dns_zone.internal.id
  ttl                 = 300
  records             = [azurerm_network_interface.app.private_ip_address]
}

resource "azurerm_private_dns_cname_record" "www" {
  name                = "www"
  private_dns_zone_id = azurerm_private_dns_zone.internal.id
  ttl                 = 300
  record              = "app.corp.internal"
}
