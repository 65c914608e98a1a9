package cerulean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.azure.core.credential.TokenCredential;
import com.azure.core.management.AzureEnvironment;
import com.azure.core.management.Region;
import com.azure.core.management.exception.ManagementException;
import com.azure.core.management.profile.AzureProfile;
import com.azure.identity.ClientSecretCredentialBuilder;
import com.azure.resourcemanager.compute.ComputeManager;
import com.azure.resourcemanager.network.NetworkManager;
import com.azure.resourcemanager.network.models.Network;
import com.azure.resourcemanager.network.models.NetworkInterface;
import com.azure.resourcemanager.resources.ResourceManager;
import java.util.HashMap;
import org.junit.jupiter.api.function.Executable;

/**
 * The Azure SDK for Java pointed at cerulean, as the README shows: an {@link AzureEnvironment}
 * whose Resource Manager, Active Directory and Microsoft Graph endpoints are cerulean's URL,
 * and a client secret credential with cerulean as its authority host. scripts/java-suite
 * provides CERULEAN_URL and trusts the server's CA through javax.net.ssl.trustStore.
 */
final class Cerulean {
  static final String SUBSCRIPTION = "00000000-0000-0000-0000-000000000001";
  static final String TENANT = "00000000-0000-0000-0000-0000000000a1";
  static final Region REGION = Region.US_EAST;

  static final ResourceManager RESOURCES;
  static final NetworkManager NETWORK;
  static final ComputeManager COMPUTE;

  static {
    String url = System.getenv("CERULEAN_URL");
    if (url == null) {
      throw new IllegalStateException("run through scripts/java-suite (CERULEAN_URL is not set)");
    }
    var endpoints = new HashMap<>(AzureEnvironment.AZURE.getEndpoints());
    endpoints.put("resourceManagerEndpointUrl", url + "/");
    endpoints.put("activeDirectoryEndpointUrl", url + "/");
    // The compute manager builds an authorization manager, which needs a Graph endpoint;
    // cerulean serves Graph's /v1.0 too.
    endpoints.put("microsoftGraphResourceId", url + "/");
    AzureProfile profile = new AzureProfile(TENANT, SUBSCRIPTION, new AzureEnvironment(endpoints));
    TokenCredential credential =
        new ClientSecretCredentialBuilder()
            .tenantId(TENANT)
            .clientId("java-suite")
            .clientSecret("any-secret")
            .authorityHost(url + "/")
            .disableInstanceDiscovery()
            .build();
    RESOURCES = ResourceManager.authenticate(credential, profile).withDefaultSubscription();
    NETWORK = NetworkManager.authenticate(credential, profile);
    COMPUTE = ComputeManager.authenticate(credential, profile);
  }

  private Cerulean() {}

  /** Asserts that the call fails with this ARM error code, and returns the exception. */
  static ManagementException expectCode(String code, Executable call) {
    ManagementException e = assertThrows(ManagementException.class, call);
    assertEquals(code, e.getValue().getCode(), e.getMessage());
    return e;
  }

  /** Creates a resource group (deleted by {@link #deleteGroup}). */
  static void createGroup(String name) {
    RESOURCES.resourceGroups().define(name).withRegion(REGION).create();
  }

  /** Deletes a resource group through its long-running operation, when it exists. */
  static void deleteGroup(String name) {
    if (RESOURCES.resourceGroups().contain(name)) {
      RESOURCES.resourceGroups().deleteByName(name);
    }
  }

  /** The seed's network: 192.168.0.0/16 with subnets front (.1.0/24) and back (.2.0/24). */
  static Network network(String group) {
    return NETWORK
        .networks()
        .define("vnet1")
        .withRegion(REGION)
        .withExistingResourceGroup(group)
        .withAddressSpace("192.168.0.0/16")
        .withSubnet("front", "192.168.1.0/24")
        .withSubnet("back", "192.168.2.0/24")
        .create();
  }

  /** A NIC with one dynamic IP configuration in a subnet of the network. */
  static NetworkInterface nic(String group, String name, Network network, String subnet) {
    return NETWORK
        .networkInterfaces()
        .define(name)
        .withRegion(REGION)
        .withExistingResourceGroup(group)
        .withExistingPrimaryNetwork(network)
        .withSubnet(subnet)
        .withPrimaryPrivateIPAddressDynamic()
        .create();
  }
}
