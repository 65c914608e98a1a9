package cerulean

import (
	"context"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v9"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources/v4"
)

// A private endpoint to a storage account (a generic resource through armresources): its NIC
// takes the subnet's first address, a DNS zone group writes the account's record, the NIC
// refuses a client's delete, and the endpoint's delete takes the NIC.
func TestPrivateEndpoint(t *testing.T) {
	ctx := context.Background()
	g := "go-pe"
	group(t, g)
	vnet(t, g)
	// The SDK refuses an empty parentResourcePath: top-level resources go by id.
	rg := "/subscriptions/" + sub + "/resourceGroups/" + g + "/providers/"
	ap, err := c.resources.BeginCreateOrUpdateByID(ctx, rg+"Microsoft.Storage/storageAccounts/goshop", "2023-01-01",
		armresources.GenericResource{Location: to.Ptr(loc), Kind: to.Ptr("StorageV2")}, nil)
	account := wait(t, ap, err)
	zp, err := c.resources.BeginCreateOrUpdateByID(ctx, rg+"Microsoft.Network/privateDnsZones/privatelink.blob.core.windows.net",
		"2024-06-01", armresources.GenericResource{Location: to.Ptr("global")}, nil)
	zone := wait(t, zp, err)

	pp, err := c.endpoints.BeginCreateOrUpdate(ctx, g, "shop-blob", armnetwork.PrivateEndpoint{
		Location: to.Ptr(loc),
		Properties: &armnetwork.PrivateEndpointProperties{
			Subnet: &armnetwork.Subnet{ID: to.Ptr(subnetID(g, "back"))},
			PrivateLinkServiceConnections: []*armnetwork.PrivateLinkServiceConnection{{
				Name: to.Ptr("blob"),
				Properties: &armnetwork.PrivateLinkServiceConnectionProperties{
					PrivateLinkServiceID: account.ID,
					GroupIDs:             []*string{to.Ptr("blob")},
				},
			}},
		},
	}, nil)
	pe := wait(t, pp, err)
	state := pe.Properties.PrivateLinkServiceConnections[0].Properties.PrivateLinkServiceConnectionState
	if *state.Status != "Approved" {
		t.Fatalf("connection status %q", *state.Status)
	}
	dns := pe.Properties.CustomDNSConfigs
	if len(dns) != 1 || *dns[0].Fqdn != "goshop.blob.core.windows.net" || *dns[0].IPAddresses[0] != "192.168.2.4" {
		t.Fatalf("customDnsConfigs: %+v", dns)
	}
	nicID := *pe.Properties.NetworkInterfaces[0].ID
	nicName := nicID[strings.LastIndex(nicID, "/")+1:]
	nic, err := c.nics.Get(ctx, g, nicName, nil)
	must(err)
	if !strings.EqualFold(*nic.Properties.PrivateEndpoint.ID, *pe.ID) {
		t.Fatalf("the NIC's endpoint: %s", *nic.Properties.PrivateEndpoint.ID)
	}

	gp, err := c.zoneGroups.BeginCreateOrUpdate(ctx, g, "shop-blob", "default", armnetwork.PrivateDNSZoneGroup{
		Properties: &armnetwork.PrivateDNSZoneGroupPropertiesFormat{
			PrivateDNSZoneConfigs: []*armnetwork.PrivateDNSZoneConfig{{
				Name:       to.Ptr("blob"),
				Properties: &armnetwork.PrivateDNSZonePropertiesFormat{PrivateDNSZoneID: zone.ID},
			}},
		},
	}, nil)
	zg := wait(t, gp, err)
	sets := zg.Properties.PrivateDNSZoneConfigs[0].Properties.RecordSets
	if len(sets) != 1 || *sets[0].RecordSetName != "goshop" || *sets[0].IPAddresses[0] != "192.168.2.4" {
		t.Fatalf("record sets: %+v", sets)
	}

	dp, err := c.nics.BeginDelete(ctx, g, nicName, nil)
	wantCode(t, "CannotModifyNicAttachedToPrivateEndpoint", dp, err)
	ep, err := c.endpoints.BeginDelete(ctx, g, "shop-blob", nil)
	wait(t, ep, err)
	if _, err := c.nics.Get(ctx, g, nicName, nil); code(err) != "ResourceNotFound" {
		t.Fatalf("the endpoint's NIC outlived it: %v", err)
	}
}

// A manual endpoint waits Pending; the account lists its connection, and the account's owner
// approves it by id (armresources): the endpoint then shows the account's name, and a second
// approval is refused as Azure Storage refuses it.
func TestManualPrivateEndpointApproval(t *testing.T) {
	ctx := context.Background()
	g := "go-pec"
	group(t, g)
	vnet(t, g)
	rg := "/subscriptions/" + sub + "/resourceGroups/" + g + "/providers/"
	ap, err := c.resources.BeginCreateOrUpdateByID(ctx, rg+"Microsoft.Storage/storageAccounts/goask", "2023-01-01",
		armresources.GenericResource{Location: to.Ptr(loc), Kind: to.Ptr("StorageV2")}, nil)
	account := wait(t, ap, err)
	pp, err := c.endpoints.BeginCreateOrUpdate(ctx, g, "asker", armnetwork.PrivateEndpoint{
		Location: to.Ptr(loc),
		Properties: &armnetwork.PrivateEndpointProperties{
			Subnet: &armnetwork.Subnet{ID: to.Ptr(subnetID(g, "back"))},
			ManualPrivateLinkServiceConnections: []*armnetwork.PrivateLinkServiceConnection{{
				Name: to.Ptr("blob"),
				Properties: &armnetwork.PrivateLinkServiceConnectionProperties{
					PrivateLinkServiceID: account.ID,
					GroupIDs:             []*string{to.Ptr("blob")},
					RequestMessage:       to.Ptr("let me in"),
				},
			}},
		},
	}, nil)
	pe := wait(t, pp, err)
	state := pe.Properties.ManualPrivateLinkServiceConnections[0].Properties.PrivateLinkServiceConnectionState
	if *state.Status != "Pending" || len(pe.Properties.CustomDNSConfigs) != 0 {
		t.Fatalf("a manual endpoint: %q, %+v", *state.Status, pe.Properties.CustomDNSConfigs)
	}

	got, err := c.resources.GetByID(ctx, *account.ID, "2023-01-01", nil)
	must(err)
	conns, _ := got.Properties.(map[string]any)["privateEndpointConnections"].([]any)
	if len(conns) != 1 {
		t.Fatalf("the account's connections: %+v", got.Properties)
	}
	connID, _ := conns[0].(map[string]any)["id"].(string)
	approve := armresources.GenericResource{Properties: map[string]any{
		"privateLinkServiceConnectionState": map[string]any{"status": "Approved", "description": "ok"},
	}}
	cp, err := c.resources.BeginCreateOrUpdateByID(ctx, connID, "2023-01-01", approve, nil)
	wait(t, cp, err)
	after, err := c.endpoints.Get(ctx, g, "asker", nil)
	must(err)
	dns := after.Properties.CustomDNSConfigs
	if len(dns) != 1 || *dns[0].Fqdn != "goask.blob.core.windows.net" {
		t.Fatalf("customDnsConfigs once approved: %+v", dns)
	}
	again, err := c.resources.BeginCreateOrUpdateByID(ctx, connID, "2023-01-01", approve, nil)
	wantCode(t, "InvalidValuesForRequestParameters", again, err)
}
