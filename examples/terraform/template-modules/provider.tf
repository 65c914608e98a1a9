# cerulean is reached with the provider's usual variables: ARM_METADATA_HOSTNAME (host:port
# of cerulean, which serves the cloud's metadata), ARM_CLIENT_ID, ARM_CLIENT_SECRET,
# ARM_TENANT_ID and ARM_SUBSCRIPTION_ID; SSL_CERT_FILE trusts cerulean's CA.
terraform {
  required_providers {
    azurerm = {
      source  = "hashicorp/azurerm"
      version = ">= 4.0"
    }
  }
}

provider "azurerm" {
  features {
    # The provider deletes what a template deployment created by the deployment's
    # outputResources, asking each type's API version of the providers the deployment lists:
    # a template with modules lists only Microsoft.Resources, so that fails, on Azure as on
    # cerulean. The resource group takes the template's resources with it instead.
    template_deployment {
      delete_nested_items_during_deletion = false
    }
    resource_group {
      prevent_deletion_if_contains_resources = false
    }
  }
}

variable "location" {
  type    = string
  default = "eastus"
}
