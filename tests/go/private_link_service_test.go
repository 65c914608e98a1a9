package cerulean

import (
	"context"
	"strings"
	"testing"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/to"
	"github.com/Azure/azure-sdk-for-go/sdk/resourcemanager/network/armnetwork/v9"
)

// A Standard internal load balancer with a probe and a rule (the probe lists the rule that
// uses it; a rule naming a probe the load balancer lacks is refused), a private link service
// in front of it, and an endpoint that asks to connect by the service's alias and is
// approved through the service's connections.
func TestPrivateLinkServiceBehindALoadBalancer(t *testing.T) {
	ctx := context.Background()
	g := "go-pls"
	group(t, g)
	vp, err := c.vnets.BeginCreateOrUpdate(ctx, g, "vnet1", armnetwork.VirtualNetwork{
		Location: to.Ptr(loc),
		Properties: &armnetwork.VirtualNetworkPropertiesFormat{
			AddressSpace: &armnetwork.AddressSpace{AddressPrefixes: []*string{to.Ptr("10.7.0.0/16")}},
			Subnets: []*armnetwork.Subnet{
				{Name: to.Ptr("lbs"), Properties: &armnetwork.SubnetPropertiesFormat{AddressPrefix: to.Ptr("10.7.1.0/24")}},
				{Name: to.Ptr("nat"), Properties: &armnetwork.SubnetPropertiesFormat{
					AddressPrefix:                     to.Ptr("10.7.2.0/24"),
					PrivateLinkServiceNetworkPolicies: to.Ptr(armnetwork.VirtualNetworkPrivateLinkServiceNetworkPoliciesDisabled),
				}},
				{Name: to.Ptr("consumers"), Properties: &armnetwork.SubnetPropertiesFormat{AddressPrefix: to.Ptr("10.7.3.0/24")}},
			},
		},
	}, nil)
	wait(t, vp, err)

	lbID := "/subscriptions/" + sub + "/resourceGroups/" + g + "/providers/Microsoft.Network/loadBalancers/ilb"
	child := func(kind, name string) *armnetwork.SubResource {
		return &armnetwork.SubResource{ID: to.Ptr(lbID + "/" + kind + "/" + name)}
	}
	lb := func(probe string) armnetwork.LoadBalancer {
		return armnetwork.LoadBalancer{
			Location: to.Ptr(loc),
			SKU:      &armnetwork.LoadBalancerSKU{Name: to.Ptr(armnetwork.LoadBalancerSKUNameStandard)},
			Properties: &armnetwork.LoadBalancerPropertiesFormat{
				FrontendIPConfigurations: []*armnetwork.FrontendIPConfiguration{{
					Name:       to.Ptr("fe"),
					Properties: &armnetwork.FrontendIPConfigurationPropertiesFormat{Subnet: &armnetwork.Subnet{ID: to.Ptr(subnetID(g, "lbs"))}},
				}},
				BackendAddressPools: []*armnetwork.BackendAddressPool{{Name: to.Ptr("pool")}},
				Probes: []*armnetwork.Probe{{
					Name:       to.Ptr("tcp80"),
					Properties: &armnetwork.ProbePropertiesFormat{Protocol: to.Ptr(armnetwork.ProbeProtocolTCP), Port: to.Ptr[int32](80)},
				}},
				LoadBalancingRules: []*armnetwork.LoadBalancingRule{{
					Name: to.Ptr("http"),
					Properties: &armnetwork.LoadBalancingRulePropertiesFormat{
						FrontendIPConfiguration: child("frontendIPConfigurations", "fe"),
						BackendAddressPool:      child("backendAddressPools", "pool"),
						Probe:                   child("probes", probe),
						Protocol:                to.Ptr(armnetwork.TransportProtocolTCP),
						FrontendPort:            to.Ptr[int32](80),
						BackendPort:             to.Ptr[int32](80),
					},
				}},
			},
		}
	}
	bad, err := c.lbs.BeginCreateOrUpdate(ctx, g, "ilb", lb("missing"), nil)
	wantCode(t, "InvalidResourceReference", bad, err)
	lp, err := c.lbs.BeginCreateOrUpdate(ctx, g, "ilb", lb("tcp80"), nil)
	balancer := wait(t, lp, err)
	probe, err := c.probes.Get(ctx, g, "ilb", "tcp80", nil)
	must(err)
	if users := probe.Properties.LoadBalancingRules; len(users) != 1 || !strings.EqualFold(*users[0].ID, lbID+"/loadBalancingRules/http") {
		t.Fatalf("the probe's rules: %+v", users)
	}

	sp, err := c.services.BeginCreateOrUpdate(ctx, g, "svc", armnetwork.PrivateLinkService{
		Location: to.Ptr(loc),
		Properties: &armnetwork.PrivateLinkServiceProperties{
			LoadBalancerFrontendIPConfigurations: []*armnetwork.FrontendIPConfiguration{{ID: balancer.Properties.FrontendIPConfigurations[0].ID}},
			IPConfigurations: []*armnetwork.PrivateLinkServiceIPConfiguration{{
				Name:       to.Ptr("nat1"),
				Properties: &armnetwork.PrivateLinkServiceIPConfigurationProperties{Subnet: &armnetwork.Subnet{ID: to.Ptr(subnetID(g, "nat"))}},
			}},
		},
	}, nil)
	service := wait(t, sp, err)
	alias := *service.Properties.Alias
	if !strings.HasPrefix(alias, "svc.") || !strings.HasSuffix(alias, ".azure.privatelinkservice") {
		t.Fatalf("alias %q", alias)
	}

	pp, err := c.endpoints.BeginCreateOrUpdate(ctx, g, "asker", armnetwork.PrivateEndpoint{
		Location: to.Ptr(loc),
		Properties: &armnetwork.PrivateEndpointProperties{
			Subnet: &armnetwork.Subnet{ID: to.Ptr(subnetID(g, "consumers"))},
			ManualPrivateLinkServiceConnections: []*armnetwork.PrivateLinkServiceConnection{{
				Name: to.Ptr("c"),
				Properties: &armnetwork.PrivateLinkServiceConnectionProperties{
					PrivateLinkServiceID: to.Ptr(alias),
					RequestMessage:       to.Ptr("let me in"),
				},
			}},
		},
	}, nil)
	pe := wait(t, pp, err)
	if s := *pe.Properties.ManualPrivateLinkServiceConnections[0].Properties.PrivateLinkServiceConnectionState.Status; s != "Pending" {
		t.Fatalf("a manual endpoint: %q", s)
	}
	pager := c.services.NewListPrivateEndpointConnectionsPager(g, "svc", nil)
	page, err := pager.NextPage(ctx)
	must(err)
	if len(page.Value) != 1 || page.Value[0].Properties.LinkIdentifier == nil {
		t.Fatalf("the service's connections: %+v", page.Value)
	}
	conn := page.Value[0]
	conn.Properties.PrivateLinkServiceConnectionState = &armnetwork.PrivateLinkServiceConnectionState{
		Status: to.Ptr("Approved"), Description: to.Ptr("welcome"),
	}
	_, err = c.services.UpdatePrivateEndpointConnection(ctx, g, "svc", *conn.Name, *conn, nil)
	must(err)
	after, err := c.endpoints.Get(ctx, g, "asker", nil)
	must(err)
	if s := *after.Properties.ManualPrivateLinkServiceConnections[0].Properties.PrivateLinkServiceConnectionState.Status; s != "Approved" {
		t.Fatalf("after approval: %q", s)
	}
	// The frontend stays while the service uses it.
	dp, err := c.lbs.BeginDelete(ctx, g, "ilb", nil)
	wantCode(t, "InUseFrontendIPConfigurationCannotBeDeleted", dp, err)
	ep, err := c.endpoints.BeginDelete(ctx, g, "asker", nil)
	wait(t, ep, err)
	xp, err := c.services.BeginDelete(ctx, g, "svc", nil)
	wait(t, xp, err)
}
