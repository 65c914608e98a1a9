package cerulean

import (
	"context"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
)

// The seed's VM walk-through with every Compute LRO (PUT, PATCH, DELETE, start, powerOff,
// restart, deallocate, runCommand) and the seed's refusals with Azure's codes.
func TestVMWithTwoNICs(t *testing.T) {
	ctx := context.Background()
	g := "go-vm"
	group(t, g)
	vnet(t, g)
	nic1 := nic(t, g, "nic1", "front")
	nic2 := nic(t, g, "nic2", "back")
	nic3 := nic(t, g, "nic3", "back")
	vms := c.vms
	put := func(name string, body armcompute.VirtualMachine) armcompute.VirtualMachine {
		t.Helper()
		p, err := vms.BeginCreateOrUpdate(ctx, g, name, body, nil)
		return wait(t, p, err).VirtualMachine
	}
	view := func() string {
		t.Helper()
		v, err := vms.InstanceView(ctx, g, "vm1", nil)
		must(err)
		return powerState(&v.VirtualMachineInstanceView)
	}

	vm := put("vm1", vmBody("Standard_DS3_v2", nic1, nic2))
	refs := vm.Properties.NetworkProfile.NetworkInterfaces
	if len(refs) != 2 || !*refs[0].Properties.Primary || *refs[1].Properties.Primary {
		t.Fatalf("NIC references %+v", refs)
	}
	if vm.Properties.OSProfile.AdminPassword != nil {
		t.Fatal("the password never comes back")
	}
	if s := view(); s != "PowerState/running" {
		t.Fatalf("power state %s", s)
	}

	// Running: a NIC cannot be added.
	p, err := vms.BeginCreateOrUpdate(ctx, g, "vm1", vmBody("Standard_DS3_v2", nic1, nic2, nic3), nil)
	wantCode(t, "AddingOrDeletingNetworkInterfacesOnARunningVirtualMachineNotSupported", p, err)

	// Deallocate, then add the third NIC as az does: GET, append, PUT the whole VM.
	dp, err := vms.BeginDeallocate(ctx, g, "vm1", nil)
	wait(t, dp, err)
	if s := view(); s != "PowerState/deallocated" {
		t.Fatalf("power state %s", s)
	}
	got, err := vms.Get(ctx, g, "vm1", nil)
	must(err)
	vm = got.VirtualMachine
	vm.Properties.NetworkProfile.NetworkInterfaces = append(vm.Properties.NetworkProfile.NetworkInterfaces,
		&armcompute.NetworkInterfaceReference{ID: nic3.ID, Properties: &armcompute.NetworkInterfaceReferenceProperties{Primary: to.Ptr(false)}})
	vm = put("vm1", vm)
	if n := len(vm.Properties.NetworkProfile.NetworkInterfaces); n != 3 {
		t.Fatalf("%d NICs", n)
	}

	// The size limit, then a resize (PATCH) to a size that takes three NICs.
	resize := func(size string) (*armcompute.VirtualMachinesClientUpdateResponse, error) {
		p, err := vms.BeginUpdate(ctx, g, "vm1", armcompute.VirtualMachineUpdate{
			Properties: &armcompute.VirtualMachineProperties{
				HardwareProfile: &armcompute.HardwareProfile{VMSize: to.Ptr(armcompute.VirtualMachineSizeTypes(size))},
			},
		}, nil)
		if err != nil {
			return nil, err
		}
		r, err := p.PollUntilDone(ctx, nil)
		return &r, err
	}
	if _, err := resize("Standard_B1s"); code(err) != "NetworkInterfaceCountExceeded" {
		t.Fatalf("resize to Standard_B1s: %v", err)
	}
	r, err := resize("Standard_DS4_v2")
	must(err)
	if *r.Properties.HardwareProfile.VMSize != "Standard_DS4_v2" {
		t.Fatalf("resized to %s", *r.Properties.HardwareProfile.VMSize)
	}

	// Remove the primary without flagging another: the NIC attached longest (nic2) takes over.
	got, err = vms.Get(ctx, g, "vm1", nil)
	must(err)
	vm = got.VirtualMachine
	var keep []*armcompute.NetworkInterfaceReference
	for _, n := range vm.Properties.NetworkProfile.NetworkInterfaces {
		if !strings.HasSuffix(*n.ID, "/nic1") {
			keep = append(keep, &armcompute.NetworkInterfaceReference{ID: n.ID})
		}
	}
	vm.Properties.NetworkProfile.NetworkInterfaces = keep
	vm = put("vm1", vm)
	for _, n := range vm.Properties.NetworkProfile.NetworkInterfaces {
		if strings.HasSuffix(*n.ID, "/nic2") != *n.Properties.Primary {
			t.Fatalf("primary after removing nic1: %s %v", *n.ID, *n.Properties.Primary)
		}
	}
	n2, err := c.nics.Get(ctx, g, "nic2", nil)
	must(err)
	if !*n2.Properties.Primary {
		t.Fatal("nic2 is not primary")
	}

	// Start, restart, power off, start again.
	sp, err := vms.BeginStart(ctx, g, "vm1", nil)
	wait(t, sp, err)
	withView, err := vms.Get(ctx, g, "vm1", &armcompute.VirtualMachinesClientGetOptions{Expand: to.Ptr(armcompute.InstanceViewTypesInstanceView)})
	must(err)
	if s := powerState(withView.Properties.InstanceView); s != "PowerState/running" {
		t.Fatalf("power state %s", s)
	}
	n2, err = c.nics.Get(ctx, g, "nic2", nil)
	must(err)
	if !strings.HasPrefix(*n2.Properties.MacAddress, "00-0D-3A-") {
		t.Fatalf("MAC %s", *n2.Properties.MacAddress)
	}
	rp, err := vms.BeginRestart(ctx, g, "vm1", nil)
	wait(t, rp, err)
	op, err := vms.BeginPowerOff(ctx, g, "vm1", nil)
	wait(t, op, err)
	if s := view(); s != "PowerState/stopped" {
		t.Fatalf("power state %s", s)
	}
	sp, err = vms.BeginStart(ctx, g, "vm1", nil)
	wait(t, sp, err)

	// runCommand: the result is the body of the final Location GET.
	cp, err := vms.BeginRunCommand(ctx, g, "vm1", armcompute.RunCommandInput{
		CommandID: to.Ptr("RunShellScript"),
		Script:    []*string{to.Ptr("ip route show")},
	}, nil)
	out := wait(t, cp, err)
	if msg := *out.Value[0].Message; !strings.Contains(msg, "default via 192.168.2.1 dev eth0") {
		t.Fatalf("run command output %q", msg)
	}

	// effectiveRouteTable: a Network POST whose result comes from Location.
	ep, err := c.nics.BeginGetEffectiveRouteTable(ctx, g, "nic2", nil)
	routes := wait(t, ep, err)
	local := false
	for _, r := range routes.Value {
		local = local || (string(*r.NextHopType) == "VnetLocal" && *r.AddressPrefix[0] == "192.168.0.0/16")
	}
	if !local {
		t.Fatal("no VnetLocal route for the VNet")
	}

	// Deleting the VM keeps its NICs; another VM may use them, a third may not.
	del, err := vms.BeginDelete(ctx, g, "vm1", nil)
	wait(t, del, err)
	if _, err := vms.Get(ctx, g, "vm1", nil); code(err) != "ResourceNotFound" {
		t.Fatalf("deleted VM: %v", err)
	}
	n2, err = c.nics.Get(ctx, g, "nic2", nil)
	must(err)
	if n2.Properties.VirtualMachine != nil {
		t.Fatal("nic2 still names the deleted VM")
	}
	vm2 := put("vm2", vmBody("Standard_DS3_v2", nic2, nic3))
	if len(vm2.Properties.NetworkProfile.NetworkInterfaces) != 2 {
		t.Fatal("vm2 has not its two NICs")
	}
	p, err = vms.BeginCreateOrUpdate(ctx, g, "vm3", vmBody("Standard_DS3_v2", nic2), nil)
	wantCode(t, "NicInUse", p, err)
	nd, err := c.nics.BeginDelete(ctx, g, "nic2", nil)
	wantCode(t, "NicInUse", nd, err)

	found := false
	for pager := vms.NewListAllPager(nil); pager.More(); {
		page, err := pager.NextPage(ctx)
		must(err)
		for _, v := range page.Value {
			found = found || *v.Name == "vm2"
		}
	}
	if !found {
		t.Fatal("vm2 is not listed")
	}
}
