import type { Construct } from 'constructs';
import { TerraformOutput } from 'cdktf';
import { edgeRoutes, type Catalogue, type EdgeRoute } from '@cvat-cloud/catalogue';
import { EdgeVm, type VmImage } from '../constructs/edge-vm';
import { ValidationError } from '../constructs/validation-error';
import { renderCloudInit, TRAEFIK_ENV_NAME, TRAEFIK_ENV_VALUE } from '../edge/cloud-init';
import { CvatStack, type CvatStackProps } from './stack-base';
import type { FoundationStack } from './foundation-stack';
import { deployedComponents } from './_catalogue';

/** Azure names of the edge resources. */
export interface EdgeNames {
  /** The VM. */
  readonly vm: string;
  /** Its public IP. */
  readonly publicIp: string;
}

/** Edge settings from the environment configuration. */
export interface EdgeSettings {
  /** Public host name CVAT is served on. */
  readonly hostname: string;
  /** Let's Encrypt account e-mail. */
  readonly acmeEmail: string;
  /** OpenSSH public key of the admin user. @default - locked placeholder key, SSH closed */
  readonly sshPublicKey?: string;
  /** VM size. */
  readonly vmSize?: string;
  /** Admin user. @default 'cvatops' */
  readonly adminUsername?: string;
  /** DNS label of the public IP. */
  readonly dnsLabel: string;
  /** CIDRs allowed to SSH in. */
  readonly adminCidrs: readonly string[];
  /** Marketplace image. @default UBUNTU_2404 */
  readonly image?: VmImage;
}

/** Properties of {@link EdgeStack}. */
export interface EdgeStackProps extends CvatStackProps {
  /** The foundation stack (edge subnet and NSG, environment domain). */
  readonly foundation: FoundationStack;
  /**
   * The resolved catalogue: the routes (`edgeRoutes(catalogue)`), the ingress of every component
   * they name, the Traefik image and settings from the `edge` component.
   */
  readonly catalogue: Catalogue;
  /** Resource names. */
  readonly names: EdgeNames;
  /** Edge settings. */
  readonly edge: EdgeSettings;
}

/**
 * The public edge: a Linux VM with Traefik and Let's Encrypt in front of the internal environment,
 * configured by cloud-init rendered from `packages/infra/cloud-init/`. The Traefik routes are the
 * catalogue's `edgeRoutes(catalogue)`, rendered by `renderTraefikRoutes`; every component they name
 * (and every forwardAuth component) must be deployed with VNet-wide TCP ingress, which Traefik
 * reaches at `<app>.<environment default domain>:<exposed port>`, resolved by the private DNS zone
 * the foundation links to the VNet.
 *
 * Skipped entirely (no stack) when the environment's edge mode is `none`.
 */
export class EdgeStack extends CvatStack {
  /** The edge VM. */
  public readonly vm: EdgeVm;

  constructor(scope: Construct, id: string, props: EdgeStackProps) {
    super(scope, id, props);
    const { foundation, catalogue, edge } = props;
    const deployed = deployedComponents(catalogue);
    const find = (name: string) => deployed.find((c) => c.name === name);
    const domain = foundation.environment.resource.defaultDomain;
    const routes: EdgeRoute[] = edgeRoutes(catalogue);
    const backendUrls: Record<string, string> = {};
    const backend = (name: string, field: string): void => {
      if (backendUrls[name] !== undefined) return;
      const component = find(name);
      const ingress = component?.ingress;
      if (!component || !ingress || ingress.transport !== 'tcp' || !ingress.external) {
        const got = ingress
          ? `${ingress.transport}, external: ${ingress.external}`
          : component
            ? 'no ingress'
            : 'no such enabled component';
        throw new ValidationError(
          'EdgeBackendUnreachable',
          `'${field}' (${name}) must be a deployed component with TCP ingress and external: true (VNet-wide) for the edge to ` +
            `reach it; got ${got}`,
          this,
        );
      }
      backendUrls[name] = `http://${component.name}.${domain}:${ingress.exposedPort ?? ingress.targetPort}`;
    };
    routes.forEach((r, i) => {
      backend(r.component, `edgeRoutes[${i}].component`);
      if (r.forwardAuth) backend(r.forwardAuth.component, `edgeRoutes[${i}].forwardAuth.component`);
    });
    const edgeComponent = find('edge');
    const traefikImage = edgeComponent ? `${edgeComponent.image.repository}:${edgeComponent.image.tag}` : 'traefik:v3.6.5';
    if (!/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/.test(edge.hostname)) {
      throw new ValidationError(
        'HostnameInvalid',
        `'edge.hostname' (${edge.hostname}) must be a lowercase DNS name such as cvat.example.com`,
        this,
      );
    }
    if (!/^[^\s@"'`$\\]+@[^\s@"'`$\\]+\.[a-z]{2,}$/i.test(edge.acmeEmail)) {
      throw new ValidationError(
        'AcmeEmailInvalid',
        `'edge.acmeEmail' (${edge.acmeEmail}) must be an e-mail address for the Let's Encrypt account`,
        this,
      );
    }
    const foundationEdge = foundation.network.edge;
    if (!foundationEdge) {
      throw new ValidationError('EdgeSubnetMissing', `the foundation stack has no edge subnet; set network.subnets.edge`, this);
    }

    const traefikEnv: Record<string, string> = {};
    for (const [i, e] of (edgeComponent?.env ?? []).entries()) {
      if (!('value' in e)) continue;
      if (!TRAEFIK_ENV_NAME.test(e.name) || !TRAEFIK_ENV_VALUE.test(e.value)) {
        throw new ValidationError(
          'EdgeEnvUnsafe',
          `'components.edge.env[${i}]' (${e.name}=${e.value}) must use letters, digits, space and _.,:/=+- only: it is written into a systemd unit`,
          this,
        );
      }
      traefikEnv[e.name] = e.value;
    }

    this.vm = new EdgeVm(this, 'Edge', {
      name: props.names.vm,
      resourceGroupName: foundation.resourceGroup.name,
      location: props.location,
      subnetId: foundationEdge.subnet.id,
      networkSecurityGroupName: foundationEdge.nsg.name,
      publicIpName: props.names.publicIp,
      domainNameLabel: edge.dnsLabel,
      sshPublicKey: edge.sshPublicKey,
      sshAllowedCidrs: edge.adminCidrs,
      size: edge.vmSize,
      adminUsername: edge.adminUsername,
      image: edge.image,
      cloudInit: renderCloudInit({
        hostname: edge.hostname,
        acmeEmail: edge.acmeEmail,
        traefikImage,
        traefikEnv,
        routes,
        backendUrls,
      }),
    });
    new TerraformOutput(this, 'edge_fqdn', {
      value: this.vm.fqdn,
      description: 'Azure DNS name of the edge public IP; point the CVAT host name at it.',
    });
    new TerraformOutput(this, 'edge_public_ip', { value: this.vm.publicIp.ipAddress, description: 'Static public IP of the edge.' });
  }
}
