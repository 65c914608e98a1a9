// The services the portal knows: what the menu, the search box and the lists are made of.
// Adding a service is one entry here and, for its blade, one case in app.js.

export const SERVICES = [
  { key: 'vms', label: 'Virtual machines', mark: 'VM', color: '#0a6ebd',
    type: 'Microsoft.Compute/virtualMachines', keywords: ['vm', 'vms', 'compute', 'virtual machine'] },
  { key: 'avsets', label: 'Availability sets', mark: 'AS', color: '#1f5f99',
    type: 'Microsoft.Compute/availabilitySets', keywords: ['availability set', 'avset', 'fault domain', 'update domain'] },
  { key: 'nics', label: 'Network interfaces', mark: 'NI', color: '#2f8f5b',
    type: 'Microsoft.Network/networkInterfaces', keywords: ['nic', 'nics', 'network interface', 'ip configurations'] },
  { key: 'vnets', label: 'Virtual networks', mark: 'VN', color: '#6b4fbb',
    type: 'Microsoft.Network/virtualNetworks', keywords: ['vnet', 'vnets', 'subnet', 'subnets', 'virtual network'] },
  { key: 'pips', label: 'Public IP addresses', mark: 'IP', color: '#b36b00',
    type: 'Microsoft.Network/publicIPAddresses', keywords: ['pip', 'public ip', 'public ips', 'ip address'] },
  { key: 'lbs', label: 'Load balancers', mark: 'LB', color: '#a33b62',
    type: 'Microsoft.Network/loadBalancers', keywords: ['lb', 'load balancer', 'backend pool'] },
  { key: 'dnszones', label: 'Private DNS zones', mark: 'DZ', color: '#0f7c86',
    type: 'Microsoft.Network/privateDnsZones', keywords: ['dns', 'private dns', 'dns zone', 'record set', 'auto registration', 'virtual network link'] },
  { key: 'endpoints', label: 'Private endpoints', mark: 'PE', color: '#7a4e9e',
    type: 'Microsoft.Network/privateEndpoints', keywords: ['private endpoint', 'private link', 'privatelink', 'endpoint'] },
  { key: 'linkservices', label: 'Private link services', mark: 'PL', color: '#8e5b2f',
    type: 'Microsoft.Network/privateLinkServices', keywords: ['private link service', 'alias', 'nat ip', 'pending connections'] },
  { key: 'groups', label: 'Resource groups', mark: 'RG', color: '#3b6a8f',
    type: null, keywords: ['rg', 'resource group', 'groups'] },
  { key: 'deployments', label: 'Deployments', mark: 'DP', color: '#5a6b7b',
    type: 'Microsoft.Resources/deployments', keywords: ['template', 'deploy', 'arm template', 'deploy a custom template', 'custom deployment'] },
];

export const byKey = (key) => SERVICES.find((s) => s.key === key);
export const byType = (type) => SERVICES.find((s) => s.type && type && s.type.toLowerCase() === type.toLowerCase());

/** Services whose name or keywords contain the query (without case). */
export function matchServices(query) {
  const q = query.trim().toLowerCase();
  if (!q) return [];
  return SERVICES.filter((s) => s.label.toLowerCase().includes(q) || s.keywords.some((k) => k.includes(q) || (k.length > 3 && q.includes(k))));
}
