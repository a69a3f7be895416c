import { EXIT, CliError, describeError } from '@cvat-cloud/runtime';

/** The public service asked for this machine's egress IP (`storage rules --my-ip` only; never in tests). */
export const EGRESS_IP_URL = 'https://api.ipify.org';

/** Asks api.ipify.org for this machine's public IPv4 address (5 s timeout). */
export async function lookupEgressIp(): Promise<string> {
  try {
    const response = await fetch(EGRESS_IP_URL, { signal: AbortSignal.timeout(5000) });
    const text = (await response.text()).trim();
    if (!response.ok || !/^\d{1,3}(\.\d{1,3}){3}$/.test(text)) throw new Error(`HTTP ${response.status}: '${text.slice(0, 60)}'`);
    return text;
  } catch (error) {
    throw new CliError(EXIT.UNAVAILABLE, `Could not look up this machine's egress IP at ${EGRESS_IP_URL}: ${describeError(error)}. Pass it with --ip instead.`, {
      cause: error,
    });
  }
}
