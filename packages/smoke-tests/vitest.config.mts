import { defineProjectConfig } from '@cvat-cloud/testing/vitest';

export default defineProjectConfig();
