import { defineConfig } from 'vitest/config';

export default defineConfig({
	test: {
		include: ['test/**/*.test.ts'],
		// The suite checks itself with its own vitest integration: a test that leaks references fails.
		setupFiles: ['./lib/vitest.ts'],
		globalSetup: ['./test/global-setup.ts'],
		// Child-process tests compile and run fixtures; give them room on a loaded 2-core machine.
		testTimeout: 60_000,
	},
});
