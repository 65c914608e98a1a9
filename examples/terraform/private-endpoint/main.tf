# A private endpoint to a storage account's blobs: its NIC takes an address in the subnet,
# and its private DNS zone group writes the account's A record in the `privatelink` zone.
# A second endpoint, to the account's files, asks the account's owner for approval (a
# manual connection): it waits Pending until the owner approves it on the account.

resource "azurerm_resource_group" "rg" {
  name     = "tf-private-endpoint"
  location = var.location
}

resource "azurerm_virtual_network" "vnet" {
  name                = "vnet"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  address_space       = ["10.7.0.0/16"]
}

resource "azurerm_subnet" "endpoints" {
  name                 = "endpoints"
  resource_group_name  = azurerm_resource_group.rg.name
  virtual_network_name = azurerm_virtual_network.vnet.name
  address_prefixes     = ["10.7.1.0/24"]
}

resource "azurerm_resource_group_template_deployment" "storage" {
  name                = "storage"
  resource_group_name = azurerm_resource_group.rg.name
  deployment_mode     = "Incremental"
  template_content = jsonencode({
    "$schema"      = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
    contentVersion = "1.0.0.0"
    resources = [{
      type       = "Microsoft.Storage/storageAccounts"
      apiVersion = "2023-01-01"
      name       = "tfshopdata"
      location   = "[resourceGroup().location]"
      kind       = "StorageV2"
      sku        = { name = "Standard_LRS" }
    }]
    outputs = {
      accountId = {
        type  = "string"
        value = "[resourceId('Microsoft.Storage/storageAccounts', 'tfshopdata')]"
      }
    }
  })
}

resource "azurerm_private_dns_zone" "blob" {
  name                = "privatelink.blob.core.windows.net"
  resource_group_name = azurerm_resource_group.rg.name
}

resource "azurerm_private_endpoint" "blob" {
  name                = "tfshopdata-blob"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  subnet_id           = azurerm_subnet.endpoints.id

  private_service_connection {
    name                           = "blob"
    private_connection_resource_id = jsondecode(azurerm_resource_group_template_deployment.storage.output_content).accountId.value
    subresource_names              = ["blob"]
    is_manual_connection           = false
  }

  private_dns_zone_group {
    name                 = "default"
    private_dns_zone_ids = [azurerm_private_dns_zone.blob.id]
  }
}

resource "azurerm_private_endpoint" "file" {
  name                = "tfshopdata-file"
  location            = azurerm_resource_group.rg.location
  resource_group_name = azurerm_resource_group.rg.name
  subnet_id           = azurerm_subnet.endpoints.id

  private_service_connection {
    name                           = "file"
    private_connection_resource_id = jsondecode(azurerm_resource_group_template_deployment.storage.output_content).accountId.value
    subresource_names              = ["file"]
    is_manual_connection           = true
    request_message                = "for the reports job"
  }

  # After the blob endpoint, so that each takes a known address.
  depends_on = [azurerm_private_endpoint.blob]
}

output "private_ip" {
  value = azurerm_private_endpoint.blob.private_service_connection[0].private_ip_address
}

output "record" {
  value = azurerm_private_endpoint.blob.private_dns_zone_configs[0].record_sets[0].fqdn
}
