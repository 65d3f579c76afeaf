import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { build } from 'esbuild';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { originalLine, packageRoot, siteOf } from './helpers.js';

// Device loss as a revoke in real WebGPU. Debian's chromium with --enable-unsafe-webgpu gives a real adapter
// headless here (SwiftShader's Vulkan, on the CPU); firefox-esr does with dom.webgpu.enabled and
// gfx.webgpu.ignore-blocklist (its only adapter here is a fallback one, blocked by default, most likely
// Mesa's lavapipe). In both, device.destroy() resolves `lost` with reason 'destroyed'. The page
// (test/fixtures/webgpu-page.mjs) is bundled as an app's build would be. Without a browser its test is
// skipped, saying so, unless REFTRACE_REQUIRE_BROWSER=1 (CI), where that fails.
const CHROMIUM = '/usr/bin/chromium';
const present = existsSync(CHROMIUM);
const required = process.env['REFTRACE_REQUIRE_BROWSER'] === '1';
if (!present) console.warn(`webgpu-browser.test.ts: ${CHROMIUM} is missing; the Chromium test is ${required ? 'required (REFTRACE_REQUIRE_BROWSER=1) and fails' : 'skipped'}`);
// Debian's firefox-esr through WebDriver BiDi, WebGPU turned on by its pref.
const FIREFOX = '/usr/bin/firefox-esr';
const firefoxPresent = existsSync(FIREFOX);
if (!firefoxPresent) console.warn(`webgpu-browser.test.ts: ${FIREFOX} is missing; the Firefox test is ${required ? 'required (REFTRACE_REQUIRE_BROWSER=1) and fails' : 'skipped'}`);

declare const result: Promise<unknown>;

const PAGE = new URL('fixtures/webgpu-page.mjs', import.meta.url).href;
const scratch = mkdtempSync(join(tmpdir(), 'reftrace-webgpu-'));
let server: Server | undefined;
let origin = '';

beforeAll(async () => {
	await build({ entryPoints: [join(packageRoot, 'test/fixtures/webgpu-page.mjs')], absWorkingDir: packageRoot, bundle: true, platform: 'browser', format: 'esm', sourcemap: true, outfile: join(scratch, 'page.js'), logLevel: 'silent' });
	writeFileSync(join(scratch, 'index.html'), '<!doctype html><script type=module src=page.js></script>');
	server = createServer((request, response) => {
		const name = new URL(request.url ?? '/', 'http://localhost').pathname.slice(1) || 'index.html';
		const file = join(scratch, name);
		if (!['index.html', 'page.js'].includes(name) || !existsSync(file)) return void response.writeHead(404).end();
		response.writeHead(200, { 'content-type': name.endsWith('.js') ? 'text/javascript' : 'text/html' }).end(readFileSync(file));
	});
	await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
	const address = server.address();
	origin = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
}, 60_000);

afterAll(() => {
	server?.close();
});

/** `file:line` in the page's source of a generated `url:line:column`, as siteOf names lines. */
function original(position: string): string {
	return originalLine(position, new SourceMap(JSON.parse(readFileSync(join(scratch, 'page.js.map'), 'utf8'))), scratch);
}

/** Runs the page in `browser` and returns what it found. */
async function run(browser: Browser): Promise<Record<string, any>> {
	try {
		const page = await browser.newPage();
		await page.goto(`${origin}/index.html`);
		return (await page.evaluate(() => result)) as Record<string, any>;
	} finally {
		await browser.close();
	}
}

/** What both browsers must show: the loss revokes that device's objects, with its reason; after it, calls and destroys are quiet. */
function expectLossRevokes(got: Record<string, any>): void {
	expect(got['error']).toBeUndefined();
	const reason = `device lost (destroyed): ${got['info'].message}`;
	expect(got['info'].reason).toBe('destroyed');
	expect(got['revoked'].kept).toMatchObject({ reason, lost: true, site: null, liveAtRevoke: 1 });
	expect(got['revoked'].texture).toMatchObject({ reason, lost: true });
	// Destroyed before the loss: no longer listed. Made by the other device: not revoked.
	expect(got['revoked'].done).toBeNull();
	expect(got['revoked'].other).toBeNull();
	expect(got['totals']).toMatchObject({ refs: 1, objects: 1 });
	const lostLines = (got['report'] as string).split('\n').filter((l) => l.includes("revoked by its creator's loss"));
	expect(lostLines).toHaveLength(2);
	for (const line of lostLines) expect(line).toMatch(new RegExp(`^  GPU(Buffer|Texture)#\\d+ revoked by its creator's loss for '${reason.replace(/[.()]/g, '\\$&')}'; 1 reference not given back, none needed: ref #\\d+ held by (kept|texture)$`));
	// createView and unmap on the lost device, then the destroys: not reported.
	expect(got['quiet']).toEqual([]);
	expect(got['after'].map((v: { kind: string; site: string }) => [v.kind, original(v.site)])).toEqual([['double-release', siteOf(PAGE, 'second-destroy')]]);
	expect(got['lateRevoked']).toMatchObject({ reason, lost: true });
	expect(original(got['lateRevoked'].site)).toBe(siteOf(PAGE, 'after-loss'));
}

test.skipIf(!present && !required)("real WebGPU in Chromium: device.destroy() revokes that device's undestroyed buffers and textures with its lost reason; nothing is kept alive", async () => {
	const got = await run(await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--enable-unsafe-webgpu', '--js-flags=--expose-gc'] }));
	expectLossRevokes(got);
	// Both devices and their buffers collected; only the live device's three undestroyed buffers are leaks.
	expect(got['collected']).toEqual(['live-buffer-0', 'live-buffer-1', 'live-buffer-2', 'live-device', 'lost-buffer-0', 'lost-buffer-1', 'lost-buffer-2', 'lost-device']);
	expect(got['leaks']).toBe(3);
}, 120_000);

test.skipIf(!firefoxPresent && !required)('real WebGPU in Firefox (dom.webgpu.enabled, its blocklist ignored for the software adapter): the same loss, through stack texts; no forced collection there', async () => {
	const got = await run(await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true, protocol: 'webDriverBiDi', extraPrefsFirefox: { 'dom.webgpu.enabled': true, 'gfx.webgpu.ignore-blocklist': true } }));
	expectLossRevokes(got);
	expect(got['collected']).toBeNull();
}, 120_000);
