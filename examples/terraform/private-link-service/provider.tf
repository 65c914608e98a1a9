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
  features {}
}

variable "location" {
  type    = string
  default = "eastus"
}
