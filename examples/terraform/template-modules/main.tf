# An ARM template with modules (nested deployments, what Bicep modules compile to), deployed by
# Terraform: a network module whose output names the subnet, a NIC module fed that output,
# and the NIC's address back in Terraform as an output.

resource "azurerm_resource_group" "rg" {
  name     = "tf-template-modules"
  location = var.location
}

resource "azurerm_resource_group_template_deployment" "app" {
  name                = "app"
  resource_group_name = azurerm_resource_group.rg.name
  deployment_mode     = "Incremental"
  template_content    = file("${path.module}/app.json")
  parameters_content = jsonencode({
    prefix = { value = "app" }
  })
}

output "nic_ip" {
  value = jsondecode(azurerm_resource_group_template_deployment.app.output_content).nicIp.value
}
