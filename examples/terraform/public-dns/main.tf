# A public DNS zone with an A and a CNAME record set: the zone is created with its SOA and NS
# record sets and name servers, which the provider reads back (`name_servers`).

resource "azurerm_resource_group" "dns" {
  name     = "tf-public-dns"
  location = var.location
}

resource "azurerm_dns_zone" "contoso" {
  name                = "contoso.example"
  resource_group_name = azurerm_resource_group.dns.name
}

resource "azurerm_dns_a_record" "www" {
  name                = "www"
  zone_name           = azurerm_dns_zone.contoso.name
  resource_group_name = azurerm_resource_group.dns.name
  ttl                 = 300
  records             = ["203.0.113.10"]
}

resource "azurerm_dns_cname_record" "app" {
  name                = "app"
  zone_name           = azurerm_dns_zone.contoso.name
  resource_group_name = azurerm_resource_group.dns.name
  ttl                 = 300
  record              = "www.contoso.example"
}

output "name_servers" {
  value = azurerm_dns_zone.contoso.name_servers
}
