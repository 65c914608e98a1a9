"""Private DNS zones through the Azure SDK for Python (azure-mgmt-privatedns): a zone made
with its SOA, record sets of two types, a link with auto-registration that gives a VM of
the network its record, the zone listed across the subscription, and a linked zone's delete
refused."""
import pytest
from azure.core.exceptions import HttpResponseError, ResourceNotFoundError
from azure.mgmt.privatedns import models as dm

from test_compatibility import make_nic, make_vnet, vm_body

ZONE = "corp.internal"


def test_zone_record_sets_and_auto_registration(private_dns, network, compute, group):
    zone = private_dns.private_zones.begin_create_or_update(group, ZONE, dm.PrivateZone(location="global")).result()
    assert zone.number_of_record_sets == 1
    assert zone.max_number_of_virtual_network_links_with_registration == 100
    soa = private_dns.record_sets.get(group, ZONE, "SOA", "@")
    assert soa.soa_record.host == "azureprivatedns.net"
    assert soa.fqdn == f"{ZONE}."

    a = private_dns.record_sets.create_or_update(
        group, ZONE, "A", "db", dm.RecordSet(ttl=300, a_records=[dm.ARecord(ipv4_address="10.0.9.4")]))
    assert a.fqdn == f"db.{ZONE}." and a.is_auto_registered is False
    private_dns.record_sets.create_or_update(
        group, ZONE, "CNAME", "www", dm.RecordSet(ttl=60, cname_record=dm.CnameRecord(cname=f"db.{ZONE}")))
    assert [r.name for r in private_dns.record_sets.list_by_type(group, ZONE, "A")] == ["db"]

    vnet = make_vnet(network, group)
    link = private_dns.virtual_network_links.begin_create_or_update(
        group, ZONE, "vnet1-link",
        dm.VirtualNetworkLink(location="global", virtual_network=dm.SubResource(id=vnet.id), registration_enabled=True),
    ).result()
    assert link.virtual_network_link_state == "Completed"
    assert link.registration_enabled is True

    # A VM of the linked network gets its record: its host name, its primary address.
    nic = make_nic(network, group, "nic1")
    compute.virtual_machines.begin_create_or_update(group, "vm1", vm_body(group, [nic])).result()
    registered = private_dns.record_sets.get(group, ZONE, "A", "vm")
    assert registered.is_auto_registered is True
    assert registered.ttl == 10
    assert [r.ipv4_address for r in registered.a_records] == [nic.ip_configurations[0].private_ip_address]
    assert sorted(r.name for r in private_dns.record_sets.list(group, ZONE)) == ["@", "db", "vm", "www"]
    assert ZONE in [z.name for z in private_dns.private_zones.list()]

    # Linked, the zone stays; the link's delete takes the registered record.
    with pytest.raises(HttpResponseError) as e:
        private_dns.private_zones.begin_delete(group, ZONE).result()
    assert e.value.error.code == "Conflict"
    private_dns.virtual_network_links.begin_delete(group, ZONE, "vnet1-link").result()
    with pytest.raises(ResourceNotFoundError):
        private_dns.record_sets.get(group, ZONE, "A", "vm")
    private_dns.private_zones.begin_delete(group, ZONE).result()
    with pytest.raises(ResourceNotFoundError):
        private_dns.private_zones.get(group, ZONE)
    compute.virtual_machines.begin_delete(group, "vm1").result()
    assert list(compute.virtual_machines.list(group)) == []
