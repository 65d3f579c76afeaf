import { defineConfig } from 'vitest/config';

export default defineConfig({
	test: {
		include: ['test/**/*.test.ts'],
		// Child-process tests compile and run fixtures; give them room on a loaded 2-core machine.
		testTimeout: 60_000,
	},
});
