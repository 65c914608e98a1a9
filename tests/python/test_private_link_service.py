"""Private link services through the Azure SDK for Python (azure-mgmt-network): a service in
front of a Standard internal load balancer, its NAT address in a subnet with the service's
network policies disabled, an endpoint that asks to connect by the service's alias, and the
owner's approval through `update_private_endpoint_connection`."""
import pytest
from azure.core.exceptions import HttpResponseError
from azure.mgmt.network import models as nm

from test_compatibility import LOCATION


def test_service_alias_and_approval(network, group):
    vnet = network.virtual_networks.begin_create_or_update(group, "prov", nm.VirtualNetwork(
        location=LOCATION,
        address_space=nm.AddressSpace(address_prefixes=["10.4.0.0/16"]),
        subnets=[
            nm.Subnet(name="lbs", address_prefix="10.4.1.0/24"),
            nm.Subnet(name="nat", address_prefix="10.4.2.0/24", private_link_service_network_policies="Disabled"),
            nm.Subnet(name="consumers", address_prefix="10.4.3.0/24"),
        ],
    )).result()
    subnet = {s.name: s.id for s in vnet.subnets}
    lb = network.load_balancers.begin_create_or_update(group, "ilb", nm.LoadBalancer(
        location=LOCATION,
        sku=nm.LoadBalancerSku(name="Standard"),
        frontend_ip_configurations=[nm.FrontendIPConfiguration(name="fe", subnet=nm.Subnet(id=subnet["lbs"]))],
    )).result()

    def service(nat_subnet):
        return nm.PrivateLinkService(
            location=LOCATION,
            load_balancer_frontend_ip_configurations=[nm.FrontendIPConfiguration(id=lb.frontend_ip_configurations[0].id)],
            ip_configurations=[nm.PrivateLinkServiceIpConfiguration(
                name="nat1", subnet=nm.Subnet(id=nat_subnet), primary=True)],
        )

    with pytest.raises(HttpResponseError) as refused:
        network.private_link_services.begin_create_or_update(group, "svc", service(subnet["lbs"])).result()
    assert refused.value.error.code == "PrivateLinkServiceNetworkPoliciesCannotBeEnabledOnPrivateLinkServiceSubnet"
    svc = network.private_link_services.begin_create_or_update(group, "svc", service(subnet["nat"])).result()
    assert svc.alias.startswith("svc.") and svc.alias.endswith(".eastus.azure.privatelinkservice"), svc.alias
    nic_name = svc.network_interfaces[0].id.rsplit("/", 1)[1]
    nic = network.network_interfaces.get(group, nic_name)
    assert nic.private_link_service.id.lower() == svc.id.lower()
    assert nic.ip_configurations[0].private_ip_address == "10.4.2.4"

    pe = network.private_endpoints.begin_create_or_update(group, "asker", nm.PrivateEndpoint(
        location=LOCATION,
        subnet=nm.Subnet(id=subnet["consumers"]),
        manual_private_link_service_connections=[nm.PrivateLinkServiceConnection(
            name="c", private_link_service_id=svc.alias, request_message="let me in")],
    )).result()
    assert pe.manual_private_link_service_connections[0].private_link_service_connection_state.status == "Pending"

    [conn] = network.private_link_services.list_private_endpoint_connections(group, "svc")
    assert conn.private_endpoint.id.lower() == pe.id.lower()
    conn.private_link_service_connection_state = nm.PrivateLinkServiceConnectionState(
        status="Approved", description="welcome")
    approved = network.private_link_services.update_private_endpoint_connection(group, "svc", conn.name, conn)
    assert approved.private_link_service_connection_state.status == "Approved"
    state = network.private_endpoints.get(group, "asker") \
        .manual_private_link_service_connections[0].private_link_service_connection_state
    assert (state.status, state.description) == ("Approved", "welcome")

    with pytest.raises(HttpResponseError) as in_use:
        network.load_balancers.begin_delete(group, "ilb").result()
    assert in_use.value.error.code == "InUseFrontendIPConfigurationCannotBeDeleted"
    network.private_link_services.begin_delete(group, "svc").result()
    state = network.private_endpoints.get(group, "asker") \
        .manual_private_link_service_connections[0].private_link_service_connection_state
    assert state.status == "Disconnected"
