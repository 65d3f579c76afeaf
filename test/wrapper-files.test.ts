import { fileURLToPath } from 'node:url';
import { afterEach, expect, test } from 'vitest';
import { checkLeaks, configure, LeakError, type Mode, type Ref } from '../lib/index.js';
import { adopt, adoptTwice, release } from './fixtures/adapters/hand-adapter.js';
import { lineOf, siteOf } from './helpers.js';

const adapterUrl = new URL('./fixtures/adapters/hand-adapter.ts', import.meta.url).href;
const adapterPath = fileURLToPath(adapterUrl);

afterEach(() => {
	configure({ mode: 'full', wrapperFiles: [] });
});

async function leakedSites(): Promise<{ sites: (string | null)[]; owners: string[] }> {
	const refs: Ref<object>[] = [];
	const error = await checkLeaks(() => {
		refs.push(adopt({})); // @first-adopt
		refs.push(adoptTwice({})); // @second-adopt
	}).catch((e: unknown) => e);
	for (const ref of refs) ref.release();
	expect(error).toBeInstanceOf(LeakError);
	const { leaks } = error as LeakError;
	return { sites: leaks.sites.map((s) => lineOf(s.site)).sort(), owners: leaks.objects.flatMap((o) => o.refs.map((r) => r.owner)) };
}

test('without wrapper files, every site is the adapter line', async () => {
	configure({ mode: 'full' });
	const { sites } = await leakedSites();
	expect(sites.every((site) => site?.startsWith('test/fixtures/adapters/hand-adapter.ts:'))).toBe(true);
});

for (const [how, files] of [
	['a path', [adapterPath]],
	['a file: URL', [adapterUrl]],
	['the folder holding it', [fileURLToPath(new URL('./fixtures/adapters', import.meta.url))]],
	['a RegExp', [/hand-adapter\.ts$/]],
] as const) {
	test(`wrapper files given as ${how} make the site and the default owner the application's`, async () => {
		configure({ mode: 'full', wrapperFiles: [...files] });
		const { sites, owners } = await leakedSites();
		expect(sites).toEqual([siteOf(import.meta.url, 'first-adopt'), siteOf(import.meta.url, 'second-adopt')].sort());
		// The arrow given to checkLeaks is anonymous: its owner is its file:line, never the adapter's function.
		expect(owners.every((owner) => !/adopt/.test(owner))).toBe(true);
	});
}

test('in list mode wrapper files change nothing: no stacks, no sites', async () => {
	configure({ mode: 'list' as Mode, wrapperFiles: [adapterPath] });
	const { sites } = await leakedSites();
	expect(sites).toEqual([null]);
});

test('wrapperFiles is checked', () => {
	expect(() => configure({ wrapperFiles: 'x' as never })).toThrow('Expected `wrapperFiles` to be an array of non-empty strings (paths or file: URLs) and RegExps, got string');
	expect(() => configure({ wrapperFiles: [''] })).toThrow(/got an array with other items/);
});

test('under the throw policy, the error thrown starts its own stack at the application line, below the wrapper frames', () => {
	configure({ mode: 'full', onViolation: 'throw', wrapperFiles: [adapterPath] });
	const ref = adopt({});
	release(ref);
	let thrown: unknown;
	try {
		release(ref); // @thrown-release
	} catch (error) {
		thrown = error;
	}
	configure({ onViolation: 'report' });
	const frames = String((thrown as Error).stack).split('\n').filter((line) => line.startsWith('    at '));
	expect(frames[0]).toContain(`${siteOf(import.meta.url, 'thrown-release')}:`);
	expect((thrown as Error).stack).not.toContain('hand-adapter');
});
