// Makes cdktf's Jest matchers (toHaveResourceWithProperties, toHaveResource, ...) available on
// vitest's expect: cdktf's adapter registers them on the global `expect` it finds.
import { expect } from 'vitest';
import { Testing } from 'cdktf';

declare module 'vitest' {
  interface Matchers<T> {
    toHaveResource(resourceType: { tfResourceType: string }): T;
    toHaveResourceWithProperties(resourceType: { tfResourceType: string }, properties: Record<string, unknown>): T;
    toHaveDataSource(resourceType: { tfResourceType: string }): T;
    toHaveDataSourceWithProperties(resourceType: { tfResourceType: string }, properties: Record<string, unknown>): T;
    toHaveProvider(resourceType: { tfResourceType: string }): T;
    toHaveProviderWithProperties(resourceType: { tfResourceType: string }, properties: Record<string, unknown>): T;
  }
}

(globalThis as unknown as { expect: typeof expect }).expect = expect;
Testing.setupJest();
