package cerulean

import (
	"context"
	"encoding/json"
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v9"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armdeployments"
)

func TestResourceGroups(t *testing.T) {
	ctx := context.Background()
	group(t, "go-groups")
	g, err := c.groups.Get(ctx, "go-groups", nil)
	must(err)
	if *g.Location != loc {
		t.Fatalf("location %s", *g.Location)
	}
	exists, err := c.groups.CheckExistence(ctx, "go-groups", nil)
	must(err)
	missing, err := c.groups.CheckExistence(ctx, "go-nope", nil)
	must(err)
	if !exists.Success || missing.Success {
		t.Fatalf("existence: %v %v", exists.Success, missing.Success)
	}
	_, err = c.groups.Get(ctx, "go-nope", nil)
	if code(err) != "ResourceGroupNotFound" {
		t.Fatalf("get a missing group: %v", err)
	}
}

func TestNICWithThreeIPConfigurations(t *testing.T) {
	ctx := context.Background()
	g := "go-nic"
	group(t, g)
	vnet(t, g)
	pp, err := c.pips.BeginCreateOrUpdate(ctx, g, "pip1", armnetwork.PublicIPAddress{
		Location:   to.Ptr(loc),
		SKU:        &armnetwork.PublicIPAddressSKU{Name: to.Ptr(armnetwork.PublicIPAddressSKUNameStandard)},
		Properties: &armnetwork.PublicIPAddressPropertiesFormat{PublicIPAllocationMethod: to.Ptr(armnetwork.IPAllocationMethodStatic)},
	}, nil)
	pip := wait(t, pp, err)
	if pip.Properties.IPAddress == nil {
		t.Fatal("a Static public IP has its address at once")
	}
	front := subnetID(g, "front")
	c1 := ipConfig("c1", front)
	c1.Properties.Primary = to.Ptr(true)
	c1.Properties.PublicIPAddress = &armnetwork.PublicIPAddress{ID: pip.ID}
	c2 := ipConfig("c2", front)
	c2.Properties.PrivateIPAllocationMethod = to.Ptr(armnetwork.IPAllocationMethodStatic)
	c2.Properties.PrivateIPAddress = to.Ptr("192.168.1.10")
	c3 := ipConfig("c3", front)
	np, err := c.nics.BeginCreateOrUpdate(ctx, g, "nic1", armnetwork.Interface{
		Location:   to.Ptr(loc),
		Properties: &armnetwork.InterfacePropertiesFormat{IPConfigurations: []*armnetwork.InterfaceIPConfiguration{c1, c2, c3}},
	}, nil)
	nic1 := wait(t, np, err)
	var got []string
	for _, x := range nic1.Properties.IPConfigurations {
		got = append(got, *x.Name+"="+*x.Properties.PrivateIPAddress)
		if (*x.Name == "c1") != *x.Properties.Primary {
			t.Fatalf("primary flag of %s", *x.Name)
		}
	}
	if strings.Join(got, ",") != "c1=192.168.1.4,c2=192.168.1.10,c3=192.168.1.5" {
		t.Fatalf("addresses %v", got)
	}
	used, err := c.pips.Get(ctx, g, "pip1", nil)
	must(err)
	if !strings.HasSuffix(*used.Properties.IPConfiguration.ID, "/ipConfigurations/c1") {
		t.Fatalf("public IP used by %s", *used.Properties.IPConfiguration.ID)
	}

	cfg, err := c.ipConfigs.Get(ctx, g, "nic1", "c2", nil)
	must(err)
	if *cfg.Properties.PrivateIPAddress != "192.168.1.10" || *cfg.Properties.PrivateIPAllocationMethod != armnetwork.IPAllocationMethodStatic {
		t.Fatalf("ip configuration c2: %+v", cfg.Properties)
	}
	var names []string
	for pager := c.ipConfigs.NewListPager(g, "nic1", nil); pager.More(); {
		page, err := pager.NextPage(ctx)
		must(err)
		for _, x := range page.Value {
			names = append(names, *x.Name)
		}
	}
	if strings.Join(names, ",") != "c1,c2,c3" {
		t.Fatalf("listed %v", names)
	}

	taken := ipConfig("x", front)
	taken.Properties.PrivateIPAllocationMethod = to.Ptr(armnetwork.IPAllocationMethodStatic)
	taken.Properties.PrivateIPAddress = to.Ptr("192.168.1.10")
	p2, err := c.nics.BeginCreateOrUpdate(ctx, g, "nic2", armnetwork.Interface{
		Location:   to.Ptr(loc),
		Properties: &armnetwork.InterfacePropertiesFormat{IPConfigurations: []*armnetwork.InterfaceIPConfiguration{taken}},
	}, nil)
	wantCode(t, "PrivateIPAddressInUse", p2, err)

	// Network DELETEs (final state via Location), one refused.
	dp, err := c.pips.BeginDelete(ctx, g, "pip1", nil)
	wantCode(t, "PublicIPAddressCannotBeDeleted", dp, err)
	dn, err := c.nics.BeginDelete(ctx, g, "nic1", nil)
	wait(t, dn, err)
	dp, err = c.pips.BeginDelete(ctx, g, "pip1", nil)
	wait(t, dp, err)
	if _, err := c.nics.Get(ctx, g, "nic1", nil); code(err) != "ResourceNotFound" {
		t.Fatalf("deleted NIC: %v", err)
	}
}

func TestPagingWalksEveryPage(t *testing.T) {
	ctx := context.Background()
	g := "go-paging"
	group(t, g)
	vnet(t, g)
	want := []string{"p1", "p2", "p3", "p4", "p5"}
	for _, n := range want {
		nic(t, g, n, "front")
	}
	var seen []string
	pages := 0
	for pager := c.nics.NewListAllPager(nil); pager.More(); {
		page, err := pager.NextPage(ctx)
		must(err)
		pages++
		for _, n := range page.Value {
			if strings.Contains(*n.ID, "/resourceGroups/"+g+"/") {
				seen = append(seen, *n.Name)
			}
		}
	}
	sort.Strings(seen)
	if strings.Join(seen, ",") != strings.Join(want, ",") {
		t.Fatalf("listed %v", seen)
	}
	if pages < 3 {
		t.Fatalf("5 NICs with --page-size 2 take at least 3 pages, got %d", pages)
	}
	found := false
	for pager := c.groups.NewListPager(nil); pager.More(); {
		page, err := pager.NextPage(ctx)
		must(err)
		for _, x := range page.Value {
			found = found || *x.Name == g
		}
	}
	if !found {
		t.Fatal("the group is not listed")
	}
}

func TestTemplateDeployment(t *testing.T) {
	ctx := context.Background()
	g := "go-deploy"
	group(t, g)
	raw, err := os.ReadFile("../../examples/templates/nic-three-ipconfigs.json")
	must(err)
	var template map[string]any
	must(json.Unmarshal(raw, &template))
	p, err := c.deployments.BeginCreateOrUpdate(ctx, g, "threeips", armdeployments.Deployment{
		Properties: &armdeployments.DeploymentProperties{
			Mode:     to.Ptr(armdeployments.DeploymentModeIncremental),
			Template: template,
		},
	}, nil)
	d := wait(t, p, err)
	if *d.Properties.ProvisioningState != armdeployments.ProvisioningStateSucceeded {
		t.Fatalf("deployment %s", *d.Properties.ProvisioningState)
	}
	n, err := c.nics.Get(ctx, g, "myNic", nil)
	must(err)
	var got []string
	for _, x := range n.Properties.IPConfigurations {
		got = append(got, *x.Properties.PrivateIPAddress)
	}
	if strings.Join(got, ",") != "10.0.0.4,10.0.0.5,10.0.0.6" {
		t.Fatalf("addresses %v", got)
	}
}
