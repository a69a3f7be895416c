/**
 * `CVAT_NUM_PROXIES`: the number of HTTP proxies *in front of the server container* that append
 * the client address to `X-Forwarded-For`. It does **not** count the nginx inside the
 * cvat/server image: for `run server`, the v2.73 entrypoint adds that hop itself
 * (`account_for_internal_proxy`: `export CVAT_NUM_PROXIES=$((CVAT_NUM_PROXIES + 1))`), and
 * settings pass the result to DRF's `NUM_PROXIES`, which takes the client address (for
 * throttling) that many entries from the right of `X-Forwarded-For`
 * (`addrs[-min(NUM_PROXIES, len(addrs))]`). Upstream compose (`${CVAT_NUM_PROXIES:-1}`) and the
 * Helm chart (`cvat.backend.numProxies: 1`) set 1 for their single proxy (Traefik, the ingress).
 *
 * Details, on the path client → edge Traefik VM → environment ingress (Envoy) → [server container:
 * nginx → uvicorn]:
 * - the edge Traefik VM counts when it is deployed (it drops what clients send and appends the
 *   client address);
 * - the environment ingress counts only for **HTTP** ingress: HTTP ingress appends to
 *   `X-Forwarded-For`; TCP ingress (the catalogue's server ingress in both edge modes, so that the
 *   edge VM and VNet clients reach it as `cvat-server:8080`) forwards bytes and adds no header.
 *
 * So the default catalogue gives 1 with `edge.mode: vm` (as compose; DRF's effective 2 picks the
 * address Traefik saw, the real client) and 0 with `edge.mode: none` (effective 1: the address
 * the image's nginx saw, never a header a client wrote).
 *
 * @param edgeEnabled whether the edge VM is deployed
 * @param serverIngressTransport the server's ingress transport (`undefined`: no ingress)
 * @see cvat-ai/cvat@v2.73.0 backend_entrypoint.sh (`account_for_internal_proxy`, called by `cmd_run` for `server`)
 * @see cvat-ai/cvat@v2.73.0 cvat/settings/base.py (`REST_FRAMEWORK["NUM_PROXIES"]`)
 * @see cvat-ai/cvat@v2.73.0 cvat/nginx.conf (`X-Forwarded-For $proxy_add_x_forwarded_for`)
 * @see cvat-ai/cvat@v2.73.0 helm-chart/values.yaml (`cvat.backend.numProxies: 1`)
 * @see https://www.django-rest-framework.org/api-guide/settings/#num_proxies
 * @see https://learn.microsoft.com/azure/container-apps/ingress-overview#http-headers
 */
export function cvatNumProxies(edgeEnabled: boolean, serverIngressTransport: 'http' | 'tcp' | undefined): number {
  return (edgeEnabled ? 1 : 0) + (serverIngressTransport === 'http' ? 1 : 0);
}
