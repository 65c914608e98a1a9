"""Private endpoints through the Azure SDK for Python (azure-mgmt-network): an endpoint to a
storage account's blobs takes an address through a NIC of its own, its DNS zone group keeps
the account's record in the `privatelink` zone (azure-mgmt-privatedns reads it), a static
address moves the record, the NIC refuses a client's delete, and the endpoint's delete takes
the NIC, the address and the record."""
import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.mgmt.network import models as nm
from azure.mgmt.privatedns import models as dm
from azure.mgmt.resource.resources import models as rm

from test_compatibility import LOCATION, make_vnet

ZONE = "privatelink.blob.core.windows.net"


def endpoint(subnet_id, account_id, static=None):
    return nm.PrivateEndpoint(
        location=LOCATION,
        subnet=nm.Subnet(id=subnet_id),
        private_link_service_connections=[
            nm.PrivateLinkServiceConnection(name="blob", private_link_service_id=account_id, group_ids=["blob"])
        ],
        ip_configurations=[
            nm.PrivateEndpointIPConfiguration(name="fixed", group_id="blob", member_name="blob", private_ip_address=static)
        ] if static else None,
    )


def test_endpoint_zone_group_and_nic(network, private_dns, resources, group):
    vnet = make_vnet(network, group, "pe-vnet")
    subnet = next(s for s in vnet.subnets if s.name == "back")
    account = resources.resources.begin_create_or_update(
        group, "Microsoft.Storage", "", "storageAccounts", "shopdata",
        rm.GenericResource(location=LOCATION, kind="StorageV2", sku=rm.Sku(name="Standard_LRS")),
        api_version="2023-01-01",
    ).result()

    pe = network.private_endpoints.begin_create_or_update(group, "shop-blob", endpoint(subnet.id, account.id)).result()
    assert pe.provisioning_state == "Succeeded"
    connection = pe.private_link_service_connections[0]
    assert connection.private_link_service_connection_state.status == "Approved"
    assert [(c.fqdn, c.ip_addresses) for c in pe.custom_dns_configs] == [
        ("shopdata.blob.core.windows.net", ["192.168.2.4"])]
    nic_name = pe.network_interfaces[0].id.rsplit("/", 1)[1]
    assert nic_name.startswith("shop-blob.nic.")
    nic = network.network_interfaces.get(group, nic_name)
    assert nic.private_endpoint.id.lower() == pe.id.lower()
    assert nic.ip_configurations[0].private_ip_address == "192.168.2.4"

    private_dns.private_zones.begin_create_or_update(group, ZONE, dm.PrivateZone(location="global")).result()
    zone_id = private_dns.private_zones.get(group, ZONE).id
    zg = network.private_dns_zone_groups.begin_create_or_update(
        group, "shop-blob", "default",
        nm.PrivateDnsZoneGroup(private_dns_zone_configs=[nm.PrivateDnsZoneConfig(name="blob", private_dns_zone_id=zone_id)]),
    ).result()
    sets = zg.private_dns_zone_configs[0].record_sets
    assert [(r.record_set_name, r.fqdn, r.ip_addresses) for r in sets] == [
        ("shopdata", "shopdata.privatelink.blob.core.windows.net", ["192.168.2.4"])]
    assert [g.name for g in network.private_dns_zone_groups.list("shop-blob", group)] == ["default"]
    record = private_dns.record_sets.get(group, ZONE, "A", "shopdata")
    assert [r.ipv4_address for r in record.a_records] == ["192.168.2.4"] and record.ttl == 10

    # A static address: the NIC's address moves, the record follows.
    pe = network.private_endpoints.begin_create_or_update(
        group, "shop-blob", endpoint(subnet.id, account.id, static="192.168.2.40")).result()
    assert pe.custom_dns_configs[0].ip_addresses == ["192.168.2.40"]
    record = private_dns.record_sets.get(group, ZONE, "A", "shopdata")
    assert [r.ipv4_address for r in record.a_records] == ["192.168.2.40"]

    with pytest.raises(HttpResponseError) as e:
        network.network_interfaces.begin_delete(group, nic_name).result()
    assert e.value.error.code == "CannotModifyNicAttachedToPrivateEndpoint"

    network.private_endpoints.begin_delete(group, "shop-blob").result()
    with pytest.raises(ResourceNotFoundError):
        network.network_interfaces.get(group, nic_name)
    with pytest.raises(ResourceNotFoundError):
        private_dns.record_sets.get(group, ZONE, "A", "shopdata")
    assert list(network.private_endpoints.list(group)) == []


def test_the_account_owner_approves_and_rejects(network, storage, resources, group):
    """azure-mgmt-storage's `private_endpoint_connections`: a manual endpoint's connection is
    pending on the account, its approval gives the endpoint the account's name, a rejection
    takes it away and cannot be undone, and the owner's delete leaves the endpoint
    disconnected."""
    from azure.mgmt.storage import models as sm

    vnet = make_vnet(network, group, "pec-vnet")
    subnet = next(s for s in vnet.subnets if s.name == "back")
    account = resources.resources.begin_create_or_update(
        group, "Microsoft.Storage", "", "storageAccounts", "askdata",
        rm.GenericResource(location=LOCATION, kind="StorageV2", sku=rm.Sku(name="Standard_LRS")),
        api_version="2023-01-01",
    ).result()
    manual = nm.PrivateEndpoint(
        location=LOCATION,
        subnet=nm.Subnet(id=subnet.id),
        manual_private_link_service_connections=[nm.PrivateLinkServiceConnection(
            name="blob", private_link_service_id=account.id, group_ids=["blob"], request_message="let me in")],
    )
    pe = network.private_endpoints.begin_create_or_update(group, "asker", manual).result()
    assert pe.manual_private_link_service_connections[0].private_link_service_connection_state.status == "Pending"
    assert pe.custom_dns_configs == []

    [conn] = storage.private_endpoint_connections.list(group, "askdata")
    assert conn.private_endpoint.id.lower() == pe.id.lower()
    assert conn.private_link_service_connection_state.status == "Pending"
    assert conn.private_link_service_connection_state.description == "let me in"
    assert [c.name for c in storage.storage_accounts.get_properties(group, "askdata").private_endpoint_connections] \
        == [conn.name]

    def decide(status):
        return storage.private_endpoint_connections.put(group, "askdata", conn.name, sm.PrivateEndpointConnection(
            private_link_service_connection_state=sm.PrivateLinkServiceConnectionState(
                status=status, description=f"{status} by the owner")))

    assert decide("Approved").private_link_service_connection_state.status == "Approved"
    pe = network.private_endpoints.get(group, "asker")
    assert [(c.fqdn, c.ip_addresses) for c in pe.custom_dns_configs] == [
        ("askdata.blob.core.windows.net", ["192.168.2.4"])]
    with pytest.raises(HttpResponseError) as approved_twice:
        decide("Approved")
    assert approved_twice.value.error.code == "InvalidValuesForRequestParameters"

    assert decide("Rejected").private_link_service_connection_state.status == "Rejected"
    assert network.private_endpoints.get(group, "asker").custom_dns_configs == []
    with pytest.raises(HttpResponseError) as after_rejection:
        decide("Approved")
    assert after_rejection.value.status_code == 400
    assert after_rejection.value.error.message == \
        "Values for request parameters are invalid: privateLinkServiceConnectionState.status."

    storage.private_endpoint_connections.delete(group, "askdata", conn.name)
    assert list(storage.private_endpoint_connections.list(group, "askdata")) == []
    state = network.private_endpoints.get(group, "asker").manual_private_link_service_connections[0] \
        .private_link_service_connection_state
    assert state.status == "Disconnected"
