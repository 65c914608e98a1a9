# A web tier as Terraform users write one: two Linux VMs in an availability set behind a
# public Standard load balancer (a health probe, a rule, an SSH NAT rule per VM), a network
# security group with its own rules and a route table on the subnet, and a managed data disk
# and a Custom Script extension on each VM.

resource "azurerm_resource_group" "web" {
  name     = "tf-web-tier"
  location = var.location
}

resource "azurerm_virtual_network" "web" {
  name                = "web-vnet"
  resource_group_name = azurerm_resource_group.web.name
  location            = azurerm_resource_group.web.location
  address_space       = ["10.1.0.0/16"]
}

resource "azurerm_subnet" "front" {
  name                 = "front"
  resource_group_name  = azurerm_resource_group.web.name
  virtual_network_name = azurerm_virtual_network.web.name
  address_prefixes     = ["10.1.0.0/24"]
}

resource "azurerm_network_security_group" "web" {
  name                = "web-nsg"
  resource_group_name = azurerm_resource_group.web.name
  location            = azurerm_resource_group.web.location
}

resource "azurerm_network_security_rule" "http" {
  name                        = "allow-http"
  resource_group_name         = azurerm_resource_group.web.name
  network_security_group_name = azurerm_network_security_group.web.name
  priority                    = 100
  direction                   = "Inbound"
  access                      = "Allow"
  protocol                    = "Tcp"
  source_port_range           = "*"
  destination_port_range      = "80"
  source_address_prefix       = "Internet"
  destination_address_prefix  = "*"
}

resource "azurerm_network_security_rule" "ssh" {
  name                        = "allow-ssh"
  resource_group_name         = azurerm_resource_group.web.name
  network_security_group_name = azurerm_network_security_group.web.name
  priority                    = 110
  direction                   = "Inbound"
  access                      = "Allow"
  protocol                    = "Tcp"
  source_port_range           = "*"
  destination_port_range      = "22"
  source_address_prefix       = "203.0.113.0/24"
  destination_address_prefix  = "*"
}

resource "azurerm_subnet_network_security_group_association" "front" {
  subnet_id                 = azurerm_subnet.front.id
  network_security_group_id = azurerm_network_security_group.web.id
}

resource "azurerm_route_table" "web" {
  name                = "web-routes"
  resource_group_name = azurerm_resource_group.web.name
  location            = azurerm_resource_group.web.location
}

resource "azurerm_route" "backend" {
  name                   = "to-appliance"
  resource_group_name    = azurerm_resource_group.web.name
  route_table_name       = azurerm_route_table.web.name
  address_prefix         = "10.9.0.0/16"
  next_hop_type          = "VirtualAppliance"
  next_hop_in_ip_address = "10.1.0.100"
}

resource "azurerm_subnet_route_table_association" "front" {
  subnet_id      = azurerm_subnet.front.id
  route_table_id = azurerm_route_table.web.id
}

resource "azurerm_public_ip" "lb" {
  name                = "web-lb-ip"
  resource_group_name = azurerm_resource_group.web.name
  location            = azurerm_resource_group.web.location
  allocation_method   = "Static"
  sku                 = "Standard"
}

resource "azurerm_lb" "web" {
  name                = "web-lb"
  resource_group_name = azurerm_resource_group.web.name
  location            = azurerm_resource_group.web.location
  sku                 = "Standard"

  frontend_ip_configuration {
    name                 = "public"
    public_ip_address_id = azurerm_public_ip.lb.id
  }
}

resource "azurerm_lb_backend_address_pool" "web" {
  name            = "web-pool"
  loadbalancer_id = azurerm_lb.web.id
}

resource "azurerm_lb_probe" "http" {
  name            = "http"
  loadbalancer_id = azurerm_lb.web.id
  protocol        = "Http"
  port            = 80
  request_path    = "/"
}

resource "azurerm_lb_rule" "http" {
  name                           = "http"
  loadbalancer_id                = azurerm_lb.web.id
  protocol                       = "Tcp"
  frontend_port                  = 80
  backend_port                   = 80
  frontend_ip_configuration_name = "public"
  backend_address_pool_ids       = [azurerm_lb_backend_address_pool.web.id]
  probe_id                       = azurerm_lb_probe.http.id
  disable_outbound_snat          = true
}

resource "azurerm_lb_nat_rule" "ssh" {
  count                          = 2
  name                           = "ssh-${count.index}"
  resource_group_name            = azurerm_resource_group.web.name
  loadbalancer_id                = azurerm_lb.web.id
  protocol                       = "Tcp"
  frontend_port                  = 50000 + count.index
  backend_port                   = 22
  frontend_ip_configuration_name = "public"
}

resource "azurerm_availability_set" "web" {
  name                         = "web-avset"
  resource_group_name          = azurerm_resource_group.web.name
  location                     = azurerm_resource_group.web.location
  platform_fault_domain_count  = 2
  platform_update_domain_count = 5
}

resource "azurerm_network_interface" "web" {
  count               = 2
  name                = "web-${count.index}-nic"
  resource_group_name = azurerm_resource_group.web.name
  location            = azurerm_resource_group.web.location

  ip_configuration {
    name                          = "ipconfig1"
    subnet_id                     = azurerm_subnet.front.id
    private_ip_address_allocation = "Dynamic"
  }
}

resource "azurerm_network_interface_backend_address_pool_association" "web" {
  count                   = 2
  network_interface_id    = azurerm_network_interface.web[count.index].id
  ip_configuration_name   = "ipconfig1"
  backend_address_pool_id = azurerm_lb_backend_address_pool.web.id
}

resource "azurerm_network_interface_nat_rule_association" "ssh" {
  count                 = 2
  network_interface_id  = azurerm_network_interface.web[count.index].id
  ip_configuration_name = "ipconfig1"
  nat_rule_id           = azurerm_lb_nat_rule.ssh[count.index].id
}

resource "azurerm_linux_virtual_machine" "web" {
  count                           = 2
  name                            = "web-${count.index}"
  resource_group_name             = azurerm_resource_group.web.name
  location                        = azurerm_resource_group.web.location
  size                            = "Standard_B2s"
  availability_set_id             = azurerm_availability_set.web.id
  network_interface_ids           = [azurerm_network_interface.web[count.index].id]
  admin_username                  = "azureuser"
  admin_password                  = "Cerulean-Passw0rd!"
  disable_password_authentication = false

  os_disk {
    caching              = "ReadWrite"
    storage_account_type = "Standard_LRS"
  }

  source_image_reference {
    publisher = "Canonical"
    offer     = "0001-com-ubuntu-server-jammy"
    sku       = "22_04-lts-gen2"
    version   = "latest"
  }
}

resource "azurerm_managed_disk" "data" {
  count                = 2
  name                 = "web-${count.index}-data"
  resource_group_name  = azurerm_resource_group.web.name
  location             = azurerm_resource_group.web.location
  storage_account_type = "Standard_LRS"
  create_option        = "Empty"
  disk_size_gb         = 32
}

resource "azurerm_virtual_machine_data_disk_attachment" "data" {
  count              = 2
  managed_disk_id    = azurerm_managed_disk.data[count.index].id
  virtual_machine_id = azurerm_linux_virtual_machine.web[count.index].id
  lun                = 0
  caching            = "ReadWrite"
}

resource "azurerm_virtual_machine_extension" "web" {
  count                = 2
  name                 = "install-web"
  virtual_machine_id   = azurerm_linux_virtual_machine.web[count.index].id
  publisher            = "Microsoft.Azure.Extensions"
  type                 = "CustomScript"
  type_handler_version = "2.1"
  settings             = jsonencode({ commandToExecute = "echo serving > /tmp/ready" })
}

output "lb_ip" {
  value = azurerm_public_ip.lb.ip_address
}

output "private_ips" {
  value = azurerm_network_interface.web[*].private_ip_address
}
