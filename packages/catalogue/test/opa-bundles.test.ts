import { describe, expect, it } from 'vitest';
import { defaultCatalogue, OPA_BUNDLE_POLLING, OPA_DEFAULT_BUNDLE_POLLING, opaBundles } from '../src/index';
import { comp } from './support/catalogue';

describe('opaBundles', () => {
  it("reads the default OPA's bundle: cvat from cvat-server, at OPA_BUNDLE_POLLING", () => {
    expect(opaBundles(comp(defaultCatalogue(), 'opa').args)).toEqual([{ name: 'cvat', host: 'cvat-server', ...OPA_BUNDLE_POLLING }]);
  });

  it("takes OPA's own 60-120 s for a delay that is missing or not a positive number", () => {
    const base = ['run', '--set=services.s.url=http://cvat-server:8080', '--set=bundles.b.service=s'];
    expect(opaBundles(base)).toEqual([{ name: 'b', host: 'cvat-server', ...OPA_DEFAULT_BUNDLE_POLLING }]);
    expect(opaBundles([...base, '--set=bundles.b.polling.min_delay_seconds=0', '--set=bundles.b.polling.max_delay_seconds=x'])).toEqual([
      { name: 'b', host: 'cvat-server', minDelaySeconds: 60, maxDelaySeconds: 120 },
    ]);
  });

  it('leaves out a bundle without a service, with an unknown service or with a URL that does not parse', () => {
    expect(opaBundles(['--set=bundles.a.resource=/x'])).toEqual([]);
    expect(opaBundles(['--set=bundles.a.service=missing'])).toEqual([]);
    expect(opaBundles(['--set=services.s.url=not a url', '--set=bundles.a.service=s'])).toEqual([]);
    expect(opaBundles(undefined)).toEqual([]);
  });
});
