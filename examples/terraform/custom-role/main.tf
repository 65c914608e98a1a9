# A custom role (azurerm_role_definition) assignable in one resource group, assigned there
# to the identity Terraform runs as (azurerm_role_assignment).

data "azurerm_subscription" "current" {}

data "azurerm_client_config" "current" {}

resource "azurerm_resource_group" "rg" {
  name     = "tf-custom-role"
  location = var.location
}

resource "azurerm_role_definition" "nic_operator" {
  name        = "NIC Operator (tf-custom-role)"
  scope       = data.azurerm_subscription.current.id
  description = "Creates and changes the network interfaces of one resource group."

  permissions {
    actions = [
      "Microsoft.Resources/subscriptions/resourceGroups/read",
      "Microsoft.Network/networkInterfaces/read",
      "Microsoft.Network/networkInterfaces/write",
      "Microsoft.Network/virtualNetworks/subnets/join/action",
      "Microsoft.Network/locations/operations/read",
    ]
    not_actions = ["Microsoft.Network/networkInterfaces/delete"]
  }

  assignable_scopes = [azurerm_resource_group.rg.id]
}

resource "azurerm_role_assignment" "operator" {
  scope              = azurerm_resource_group.rg.id
  role_definition_id = azurerm_role_definition.nic_operator.role_definition_resource_id
  principal_id       = data.azurerm_client_config.current.object_id
}

output "role_definition_id" {
  value = azurerm_role_definition.nic_operator.role_definition_id
}
