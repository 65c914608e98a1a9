// The Azure SDK for Go against cerulean. scripts/go-suite runs `go test` here through
// scripts/with-cerulean, which provides CERULEAN_URL; the CA is trusted through SSL_CERT_FILE
// and the clients point at cerulean through cloud.Configuration, as the README shows.
package cerulean

import (
	"context"
	"errors"
	"os"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/arm"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/cloud"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/azidentity"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/compute/armcompute/v8"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v9"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armdeployments"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/resources/armresources/v4"
)

const (
	sub    = "00000000-0000-0000-0000-000000000001"
	tenant = "00000000-0000-0000-0000-0000000000a1"
	loc    = "eastus"
	// An LRO must finish without the SDK's 30 s default wait between polls (cerulean sends
	// Retry-After: 1); the slowest run holds each operation for 2 s.
	lroBudget = 15 * time.Second
)

type clients struct {
	groups      *armresources.ResourceGroupsClient
	deployments *armdeployments.DeploymentsClient
	vnets       *armnetwork.VirtualNetworksClient
	nics        *armnetwork.InterfacesClient
	ipConfigs   *armnetwork.InterfaceIPConfigurationsClient
	pips        *armnetwork.PublicIPAddressesClient
	vms         *armcompute.VirtualMachinesClient
	resources   *armresources.Client
	endpoints   *armnetwork.PrivateEndpointsClient
	zoneGroups  *armnetwork.PrivateDNSZoneGroupsClient
	lbs         *armnetwork.LoadBalancersClient
	probes      *armnetwork.LoadBalancerProbesClient
	services    *armnetwork.PrivateLinkServicesClient
}

var c clients

func TestMain(m *testing.M) {
	url := os.Getenv("CERULEAN_URL")
	if url == "" {
		panic("run through scripts/go-suite (CERULEAN_URL is not set)")
	}
	cfg := cloud.Configuration{
		ActiveDirectoryAuthorityHost: url + "/",
		Services: map[cloud.ServiceName]cloud.ServiceConfiguration{
			cloud.ResourceManager: {Endpoint: url, Audience: "https://management.core.windows.net/"},
		},
	}
	cred, err := azidentity.NewClientSecretCredential(tenant, "go-suite", "any-secret",
		&azidentity.ClientSecretCredentialOptions{
			ClientOptions:            azcore.ClientOptions{Cloud: cfg},
			DisableInstanceDiscovery: true,
		})
	must(err)
	opts := &arm.ClientOptions{ClientOptions: azcore.ClientOptions{Cloud: cfg}}
	res, err := armresources.NewClientFactory(sub, cred, opts)
	must(err)
	dep, err := armdeployments.NewClientFactory(sub, cred, opts)
	must(err)
	net, err := armnetwork.NewClientFactory(sub, cred, opts)
	must(err)
	comp, err := armcompute.NewClientFactory(sub, cred, opts)
	must(err)
	c = clients{
		groups:      res.NewResourceGroupsClient(),
		deployments: dep.NewDeploymentsClient(),
		vnets:       net.NewVirtualNetworksClient(),
		nics:        net.NewInterfacesClient(),
		ipConfigs:   net.NewInterfaceIPConfigurationsClient(),
		pips:        net.NewPublicIPAddressesClient(),
		vms:         comp.NewVirtualMachinesClient(),
		resources:   res.NewClient(),
		endpoints:   net.NewPrivateEndpointsClient(),
		zoneGroups:  net.NewPrivateDNSZoneGroupsClient(),
		lbs:         net.NewLoadBalancersClient(),
		probes:      net.NewLoadBalancerProbesClient(),
		services:    net.NewPrivateLinkServicesClient(),
	}
	os.Exit(m.Run())
}

func must(err error) {
	if err != nil {
		panic(err)
	}
}

// wait runs a poller to completion the way SDK users do (PollUntilDone without options) and
// fails the test when it takes long enough to have slept the SDK's default 30 s.
func wait[T any](t *testing.T, p *runtime.Poller[T], err error) T {
	t.Helper()
	var zero T
	if err != nil {
		t.Fatalf("begin: %v", err)
		return zero
	}
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), lroBudget)
	defer cancel()
	out, err := p.PollUntilDone(ctx, nil)
	if err != nil {
		t.Fatalf("poll until done (after %s): %v", time.Since(start), err)
	}
	return out
}

// code is the ARM error code of err, whatever stage (begin or poll) returned it.
func code(err error) string {
	var re *azcore.ResponseError
	if errors.As(err, &re) {
		return re.ErrorCode
	}
	return ""
}

// wantCode asserts that a begin call, or its poller, fails with this ARM error code.
func wantCode[T any](t *testing.T, want string, p *runtime.Poller[T], err error) {
	t.Helper()
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), lroBudget)
		defer cancel()
		_, err = p.PollUntilDone(ctx, nil)
	}
	if err == nil {
		t.Fatalf("expected %s, but the operation succeeded", want)
	}
	if got := code(err); got != want {
		t.Fatalf("expected %s, got %q: %v", want, got, err)
	}
}

// group creates a resource group and deletes it (a group delete LRO) when the test ends.
func group(t *testing.T, name string) {
	t.Helper()
	ctx := context.Background()
	_, err := c.groups.CreateOrUpdate(ctx, name, armresources.ResourceGroup{Location: to.Ptr(loc)}, nil)
	must(err)
	t.Cleanup(func() {
		p, err := c.groups.BeginDelete(ctx, name, nil)
		wait(t, p, err)
	})
}

func subnetID(g, subnet string) string {
	return "/subscriptions/" + sub + "/resourceGroups/" + g +
		"/providers/Microsoft.Network/virtualNetworks/vnet1/subnets/" + subnet
}

func vnet(t *testing.T, g string) armnetwork.VirtualNetwork {
	t.Helper()
	p, err := c.vnets.BeginCreateOrUpdate(context.Background(), g, "vnet1", armnetwork.VirtualNetwork{
		Location: to.Ptr(loc),
		Properties: &armnetwork.VirtualNetworkPropertiesFormat{
			AddressSpace: &armnetwork.AddressSpace{AddressPrefixes: []*string{to.Ptr("192.168.0.0/16")}},
			Subnets: []*armnetwork.Subnet{
				{Name: to.Ptr("front"), Properties: &armnetwork.SubnetPropertiesFormat{AddressPrefix: to.Ptr("192.168.1.0/24")}},
				{Name: to.Ptr("back"), Properties: &armnetwork.SubnetPropertiesFormat{AddressPrefix: to.Ptr("192.168.2.0/24")}},
			},
		},
	}, nil)
	return wait(t, p, err).VirtualNetwork
}

func ipConfig(name, subnet string) *armnetwork.InterfaceIPConfiguration {
	return &armnetwork.InterfaceIPConfiguration{
		Name:       to.Ptr(name),
		Properties: &armnetwork.InterfaceIPConfigurationPropertiesFormat{Subnet: &armnetwork.Subnet{ID: to.Ptr(subnet)}},
	}
}

func nic(t *testing.T, g, name, subnet string) armnetwork.Interface {
	t.Helper()
	p, err := c.nics.BeginCreateOrUpdate(context.Background(), g, name, armnetwork.Interface{
		Location:   to.Ptr(loc),
		Properties: &armnetwork.InterfacePropertiesFormat{IPConfigurations: []*armnetwork.InterfaceIPConfiguration{ipConfig("ipconfig1", subnetID(g, subnet))}},
	}, nil)
	return wait(t, p, err).Interface
}

func vmBody(size string, nics ...armnetwork.Interface) armcompute.VirtualMachine {
	refs := make([]*armcompute.NetworkInterfaceReference, len(nics))
	for i, n := range nics {
		refs[i] = &armcompute.NetworkInterfaceReference{
			ID:         n.ID,
			Properties: &armcompute.NetworkInterfaceReferenceProperties{Primary: to.Ptr(i == 0)},
		}
	}
	return armcompute.VirtualMachine{
		Location: to.Ptr(loc),
		Properties: &armcompute.VirtualMachineProperties{
			HardwareProfile: &armcompute.HardwareProfile{VMSize: to.Ptr(armcompute.VirtualMachineSizeTypes(size))},
			StorageProfile: &armcompute.StorageProfile{ImageReference: &armcompute.ImageReference{
				Publisher: to.Ptr("Canonical"), Offer: to.Ptr("0001-com-ubuntu-server-jammy"),
				SKU: to.Ptr("22_04-lts"), Version: to.Ptr("latest"),
			}},
			OSProfile: &armcompute.OSProfile{
				ComputerName: to.Ptr("vm"), AdminUsername: to.Ptr("azureuser"), AdminPassword: to.Ptr("S3cret!pass-1234"),
			},
			NetworkProfile: &armcompute.NetworkProfile{NetworkInterfaces: refs},
		},
	}
}

// powerState is the `PowerState/...` code of an instance view.
func powerState(v *armcompute.VirtualMachineInstanceView) string {
	for _, s := range v.Statuses {
		if s.Code != nil && len(*s.Code) > 11 && (*s.Code)[:11] == "PowerState/" {
			return *s.Code
		}
	}
	return ""
}
