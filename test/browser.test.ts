import { copyFileSync, existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { SourceMap } from 'node:module';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { build } from 'esbuild';
import puppeteer, { type Browser, type ConsoleMessage, type Page } from 'puppeteer-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { originalLine, packageRoot, siteOf } from './helpers.js';
import { TAIL_CALLS_WARNING } from '../lib/platform/browser-tail-calls.js';
import { missingWebKit, startWebKit } from './webkit-driver.js';

// The example page (examples/browser/) bundled by esbuild as an app's build would (the `browser` export
// condition picks reftrace's browser entry), served from 127.0.0.1, and driven in Debian's chromium. Without
// the browser the test is skipped, saying so, unless REFTRACE_REQUIRE_BROWSER=1 (CI), where that fails.
const CHROMIUM = '/usr/bin/chromium';
const present = existsSync(CHROMIUM);
const required = process.env['REFTRACE_REQUIRE_BROWSER'] === '1';
if (!present) console.warn(`browser.test.ts: ${CHROMIUM} is missing; the browser test is ${required ? 'required (REFTRACE_REQUIRE_BROWSER=1) and fails' : 'skipped'}`);
// Debian's firefox-esr, driven through WebDriver BiDi: the stack-text path (no CallSite API, no forced GC).
const FIREFOX = '/usr/bin/firefox-esr';
const firefoxPresent = existsSync(FIREFOX);
if (!firefoxPresent) console.warn(`browser.test.ts: ${FIREFOX} is missing; the Firefox test is ${required ? 'required (REFTRACE_REQUIRE_BROWSER=1) and fails' : 'skipped'}`);

// Names the functions given to `evaluate` use in the page (the project's types are Node's).
declare const reftrace: { dump(): void; report(): void; configure(options: object): void; snapshot(): { totals: { refs: number; collected: number }; violations: Record<string, number> } };
declare const example: { checked: Promise<string> };
declare const gc: () => void;
declare function dispatchEvent(event: unknown): boolean;
declare const Event: new (type: string) => unknown;
declare const document: { body: { innerHTML: string } };
declare const performance: { timeOrigin: number };

const APP = new URL('../examples/browser/app.ts', import.meta.url).href;
const site = (marker: string): string => siteOf(APP, marker);
const scratch = mkdtempSync(join(tmpdir(), 'reftrace-browser-'));

/** A console message as the page logged it: its kind and each argument (strings as they are, objects by their description). */
interface Logged {
	readonly type: string;
	readonly args: readonly string[];
}

let browser: Browser | undefined;
let server: Server | undefined;
let origin = '';
let map: SourceMap;

/** Bundles `entry` (relative to the package) for the browser as an app's build would, with its source map, into `file` in the scratch folder. */
async function bundle(entry: string, file: string, options: { banner?: { js: string }; footer?: { js: string }; minify?: boolean } = {}): Promise<void> {
	await build({ entryPoints: [join(packageRoot, entry)], absWorkingDir: packageRoot, bundle: true, platform: 'browser', format: 'esm', sourcemap: true, outfile: join(scratch, file), logLevel: 'silent', ...options });
}

beforeAll(async () => {
	await bundle('examples/browser/app.ts', 'app.js');
	copyFileSync(join(packageRoot, 'examples/browser/index.html'), join(scratch, 'index.html'));
	await bundle('test/fixtures/browser-worker.mjs', 'worker.js');
	writeFileSync(
		join(scratch, 'worker.html'),
		"<!doctype html><script type=module>const w = new Worker('worker.js', { type: 'module' }); globalThis.fromWorker = new Promise((resolve) => w.onmessage = (e) => resolve(e.data));</script>",
	);
	map = new SourceMap(JSON.parse(readFileSync(join(scratch, 'app.js.map'), 'utf8')));
	server = createServer((request, response) => {
		const file = join(scratch, new URL(request.url ?? '/', 'http://localhost').pathname);
		if (!file.startsWith(scratch) || !existsSync(file)) return void response.writeHead(404).end();
		const type = { '.js': 'text/javascript', '.map': 'application/json', '.html': 'text/html' }[extname(file)] ?? 'application/octet-stream';
		response.writeHead(200, { 'content-type': type }).end(readFileSync(file));
	});
	await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
	const address = server.address();
	origin = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}`;
	if (present) browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--js-flags=--expose-gc'] });
}, 60_000);

afterAll(async () => {
	await browser?.close();
	server?.close();
});

/** Records every console message of `page`, each argument as the console received it. */
function recordConsole(page: Page): Logged[] {
	const logged: Logged[] = [];
	page.on('console', (message: ConsoleMessage) => {
		const args = message.args().map((arg) => {
			const remote = arg.remoteObject();
			return remote.type === 'string' ? String(remote.value) : (remote.description ?? String(remote.value));
		});
		logged.push({ type: message.type(), args });
	});
	return logged;
}

/** The reports: each collapsed group's title, its text (styles dropped) and its site errors' stacks. */
interface Report {
	readonly title: string;
	readonly text: string;
	readonly stacks: readonly string[];
}

/** The text of a `%c%s…` console call: its `%s` arguments, the CSS ones left out. */
function plainText(args: readonly string[]): string {
	const [format, ...rest] = args;
	if (format === undefined || !format.startsWith('%c%s')) return args.join(' ');
	return rest.filter((_, i) => i % 2 === 1).join('');
}

function reports(logged: readonly Logged[]): Report[] {
	const found: { title: string; text: string; stacks: string[] }[] = [];
	let open: (typeof found)[number] | null = null;
	for (const message of logged) {
		if (message.type === 'startGroupCollapsed') found.push((open = { title: plainText(message.args), text: '', stacks: [] }));
		else if (message.type === 'endGroup') open = null;
		else if (open !== null && message.args[0]?.startsWith('%c%s')) open.text += plainText(message.args);
		else if (open !== null) open.stacks.push(message.args.join(' '));
	}
	return found;
}

/** `file:line` in the original sources of a generated position in the bundle, as siteOf names them. */
function original(position: string, sourceMap: SourceMap = map): string {
	return originalLine(position, sourceMap, scratch);
}

/** The original `file:line` of each frame of a site error's stack. */
function mappedFrames(stack: string): string[] {
	return stack
		.split('\n')
		.filter((line) => line.startsWith('    at '))
		.map((line) => original(line));
}

test('the browser test has its browsers, or is allowed to go without', () => {
	expect(present || !required, `${CHROMIUM} is required (REFTRACE_REQUIRE_BROWSER=1) but missing`).toBe(true);
	expect(firefoxPresent || !required, `${FIREFOX} is required (REFTRACE_REQUIRE_BROWSER=1) but missing`).toBe(true);
});

test.skipIf(!present)(
	'in Chromium: console reports with source-mapped sites, the leak at collection, checkLeaks without an async context, and reftrace.dump()',
	async () => {
		const page = await browser!.newPage();
		const logged = recordConsole(page);
		const errors: string[] = [];
		page.on('pageerror', (error) => void errors.push(String(error)));
		await page.goto(`${origin}/index.html?reftrace=full`);
		const checked = await page.evaluate(() => example.checked);
		// V8 keeps tail-calling frames: no warning about them.
		expect(logged.filter((m) => m.args.join(' ').includes('REFTRACE_TAIL_CALLS'))).toEqual([]);
		// The double destroy, reported at the call: the second destroy, the first one, where the buffer was made.
		const doubles = reports(logged).filter((r) => r.title.startsWith('reftrace: double-release:'));
		expect(doubles).toHaveLength(1);
		const [double] = doubles;
		expect(double!.title).toBe('reftrace: double-release: ref #1 of GpuBuffer#1 was released twice');
		expect(double!.stacks.map((stack) => stack.split('\n')[0])).toEqual([expect.stringMatching(/^reftrace: disposed here/), expect.stringMatching(/^reftrace: first released/), expect.stringMatching(/^reftrace: tracked/)]);
		expect(mappedFrames(double!.stacks[0]!)[0]).toBe(site('double-destroy'));
		expect(mappedFrames(double!.stacks[1]!)[0]).toBe(site('first-destroy'));
		expect(mappedFrames(double!.stacks[2]!)[0]).toBe(site('palette'));
		// The text names the same generated positions the linked stacks do; no ANSI code reaches the console.
		expect(double!.text).toContain(/at resize \((http:[^)]+)\)/.exec(double!.stacks[0]!)![1]);
		expect(logged.flatMap((m) => m.args).join('')).not.toMatch(/\u001B\[/);
		expect(logged.find((m) => m.type === 'startGroupCollapsed')!.args[1]).toContain('color:');

		// checkLeaks: loadScene's staging buffer, taken before its first await, is still live; the report
		// says that after the await it counts by time; the mesh, released, is not listed.
		expect(checked).toContain('checkLeaks() (this browser has no async context: after fn\'s first await');
		expect(checked).toMatch(/left 1 reference live, from 1 site/);
		const checkedSite = /GpuBuffer#\d+ has 1\/1 refs at (\S+)/.exec(checked)![1]!;
		expect(original(checkedSite)).toBe(site('staging'));

		// The sparkles dropped without destroy(), found when collected: three reports naming the line that made them.
		for (let i = 0; i < 50 && reports(logged).filter((r) => r.title.includes('garbage-collected while live')).length < 3; i++) {
			await page.evaluate(async () => {
				gc();
				await new Promise((resolve) => setTimeout(resolve, 20));
			});
		}
		const collected = reports(logged).filter((r) => r.title.includes('garbage-collected while live'));
		expect(collected.map((r) => r.title.replace(/#\d+/g, '#N').replace(/\d+ ms/, 'N ms'))).toEqual(
			Array(3).fill('reftrace: leak: ref #N of GpuBuffer#N (owner drawFrame) was garbage-collected while live, N ms after it was taken; its count is never given back, so GpuBuffer#N stays at 1'),
		);
		for (const leak of collected) expect(mappedFrames(leak.stacks[0]!)[0]).toBe(site('sparkle'));

		// The console commands: a dump of the live references (the new palette), and the same as data.
		const before = logged.length;
		await page.evaluate(() => reftrace.dump());
		const [dump] = reports(logged.slice(before));
		// The staging buffer may or may not have been collected by now: the count of collected ones is not fixed.
		expect(dump!.title).toMatch(/^reftrace: live references \(reftrace\.dump\(\)\): 2 live refs and [34] collected while live, to [56] objects from 4 sites$/);
		expect(new Set(dump!.stacks.map((stack) => mappedFrames(stack)[0]))).toEqual(new Set([site('sparkle'), site('new-palette'), site('staging')]));
		const data = await page.evaluate(() => reftrace.snapshot());
		expect(data.totals.refs - data.totals.collected).toBe(2);
		// The three collected sparkles; checkLeaks's leak went to its caller as a rejection, not to the tally.
		expect(data.violations).toEqual({ 'double-release': 1, leak: 3 });
		// reftrace.report(): the report the page prints when it is hidden, on demand.
		const beforeReport = logged.length;
		await page.evaluate(() => reftrace.report());
		expect(reports(logged.slice(beforeReport)).map((r) => r.title)).toEqual([expect.stringMatching(/^reftrace: leak report at reftrace\.report\(\): 2 live refs/)]);
		expect(errors).toEqual([]);
		// The exit report on pagehide, once. The event is dispatched in the page here: what a page logs while it
		// unloads for real does not reach puppeteer (tried: a navigation away delivered no message at all).
		const beforeExit = logged.length;
		await page.evaluate(() => {
			// A JSON report asked for: a page has no files, and the report says so instead.
			reftrace.configure({ reportPath: 'report.json', trace: 'trace.json' });
			dispatchEvent(new Event('pagehide'));
			dispatchEvent(new Event('pagehide'));
		});
		const exit = reports(logged.slice(beforeExit));
		expect(exit.map((r) => r.title)).toEqual([expect.stringMatching(/^reftrace: leak report: 2 live refs/)]);
		expect(logged.slice(beforeExit).flatMap((m) => m.args)).toContain('reftrace: could not write the JSON report: Error: reftrace: a browser has no files to write; read reports with reftrace.snapshot() or reftrace.report() instead');
		expect(logged.slice(beforeExit).filter((m) => m.type === 'warn' || m.type === 'warning').map((m) => m.args.join(' '))).toEqual([
			'reftrace could not write the trace trace.json: Error: reftrace: a browser has no files to write; read reports with reftrace.snapshot() or reftrace.report() instead (REFTRACE_TRACE)',
		]);
		expect(exit[0]!.text).toMatch(/SUMMARY: reftrace: 2 live references and [34] collected while live, to [56] objects from 4 sites; 4 violations$/);
		await writeConsoleScreenshot(logged.slice(0, logged.findIndex((m) => m.type === 'endGroup') + 1));
		await page.close();
	},
	90_000,
);

declare const fromWorker: Promise<{ pid: number; threadId: number; commands: string }>;

test.skipIf(!present)('in a module worker: reports reach the console from the worker, which is thread 1 with its own id and its own commands', async () => {
	const page = await browser!.newPage();
	const logged = recordConsole(page);
	await page.goto(`${origin}/worker.html`);
	const ids = await page.evaluate(() => fromWorker);
	expect(ids.threadId).toBe(1);
	expect(ids.commands).toBe('function');
	const pagePid = await page.evaluate(() => Math.round(performance.timeOrigin * 1000) % 2 ** 31);
	expect(ids.pid).not.toBe(pagePid);
	for (let i = 0; i < 50 && reports(logged).length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
	const [double] = reports(logged);
	expect(double!.title).toBe('reftrace: double-release: ref #1 of WorkerSocket#1 was released twice');
	expect(double!.text).toContain(`thread 1`);
	const workerMap = new SourceMap(JSON.parse(readFileSync(join(scratch, 'worker.js.map'), 'utf8')));
	expect(original(double!.stacks[0]!.split('\n')[1]!, workerMap)).toBe(siteOf(new URL('fixtures/browser-worker.mjs', import.meta.url).href, 'worker-double'));
	await page.close();
}, 60_000);

/**
 * Renders captured console messages (each `%c` segment with its CSS, groups shown open) into a page of
 * its own and screenshots it: DevTools itself cannot be screenshotted headless. The README's picture is
 * this file, copied into docs/ when UPDATE_SCREENSHOTS=1.
 */
async function writeConsoleScreenshot(messages: readonly Logged[]): Promise<void> {
	const escape = (text: string): string => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
	const html = messages
		.map((message) => {
			const [format, ...rest] = message.args;
			const body = format?.startsWith('%c%s')
				? rest
						.flatMap((value, i) => (i % 2 === 0 ? [] : [`<span style="${escape(rest[i - 1]!)}">${escape(value)}</span>`]))
						.join('')
				: `<span class="error">${escape(message.args.join(' '))}</span>`;
			if (message.type === 'endGroup') return '</div>';
			if (message.type === 'startGroupCollapsed') return `<div class="line">▾ ${body}</div><div class="group">`;
			return `<div class="line">${body}</div>`;
		})
		.join('');
	const page = await browser!.newPage();
	await page.setViewport({ width: 1100, height: 400 });
	await page.evaluate((content: string) => {
		document.body.innerHTML = content;
	}, `<style>body{margin:0;padding:8px;font:12px/1.5 monospace;background:#fff;color:#202124}.line{white-space:pre-wrap;border-bottom:1px solid #f0f0f0;padding:2px 4px}.group{margin-left:16px}.error{color:#5f6368;display:block}</style><div id="console">${html}</div>`);
	const shot = join(scratch, 'browser-console.png');
	await (await page.$('#console'))!.screenshot({ path: shot });
	await page.close();
	const png = readFileSync(shot);
	expect(png.subarray(1, 4).toString()).toBe('PNG');
	if (process.env['UPDATE_SCREENSHOTS'] === '1') writeFileSync(join(packageRoot, 'docs/browser-console.png'), png);
}

/**
 * Records the page's console calls in the page itself, before any script runs: strings as they are, other
 * values (the site errors) by their stack, which is what DevTools shows of them. (WebDriver BiDi's console
 * events carry no error descriptions.)
 */
function recordInPage(): void {
	const seen: { type: string; args: string[] }[] = [];
	(globalThis as { recorded?: unknown }).recorded = seen;
	const target = console as unknown as Record<string, (...args: unknown[]) => void>;
	for (const [method, type] of [['log', 'log'], ['groupCollapsed', 'startGroupCollapsed'], ['groupEnd', 'endGroup'], ['warn', 'warning']] as const) {
		const original = target[method]!.bind(console);
		target[method] = (...args: unknown[]) => {
			seen.push({ type, args: args.map((arg) => (typeof arg === 'string' ? arg : arg instanceof Error ? `${arg.stack}` : String(arg))) });
			original(...args);
		};
	}
}
declare const recorded: Logged[];

test.skipIf(!firefoxPresent)(
	'in Firefox: the stack-text path names the same source-mapped sites; checkLeaks and reftrace.dump() as in Chromium',
	async () => {
		const firefox = await puppeteer.launch({ browser: 'firefox', executablePath: FIREFOX, headless: true, protocol: 'webDriverBiDi' });
		try {
			const page = await firefox.newPage();
			await page.evaluateOnNewDocument(recordInPage);
			await page.goto(`${origin}/index.html?reftrace=full`);
			const checked = await page.evaluate(() => example.checked);
			await page.evaluate(() => reftrace.dump());
			const logged = await page.evaluate(() => recorded);
			expect(logged.filter((m) => m.args.join(' ').includes('REFTRACE_TAIL_CALLS'))).toEqual([]);
			const [double] = reports(logged).filter((r) => r.title.startsWith('reftrace: double-release:'));
			expect(double!.title).toBe('reftrace: double-release: ref #1 of GpuBuffer#1 was released twice');
			expect(double!.stacks.map((stack) => mappedFrames(stack)[0])).toEqual([site('double-destroy'), site('first-destroy'), site('palette')]);
			expect(double!.text).toMatch(/disposed here[^\n]*\n {4}http:\/\/127\.0\.0\.1:\d+\/app\.js:\d+:\d+\n {6}at resize \(/);
			expect(checked).toContain("checkLeaks() (this browser has no async context: after fn's first await");
			expect(original(/GpuBuffer#\d+ has 1\/1 refs at (\S+)/.exec(checked)![1]!)).toBe(site('staging'));
			// Nothing forces a collection from a Firefox page, so the sparkles are still live here, not reported.
			const dump = reports(logged).find((r) => r.title.startsWith('reftrace: live references (reftrace.dump()):'))!;
			expect(new Set(dump.stacks.map((stack) => mappedFrames(stack)[0]))).toEqual(new Set([site('sparkle'), site('new-palette'), site('staging')]));
			expect(await page.evaluate(() => reftrace.snapshot().violations)).toEqual({ 'double-release': 1 });
		} finally {
			await firefox.close();
		}
	},
	90_000,
);

// WebKitGTK: JavaScriptCore, Safari's engine, through WebKitWebDriver (test/webkit-driver.ts) under xvfb-run.
const webkitMissing = missingWebKit();
if (webkitMissing.length > 0) console.warn(`browser.test.ts: ${webkitMissing.join(', ')} missing; the WebKit test is ${required ? 'required (REFTRACE_REQUIRE_BROWSER=1) and fails' : 'skipped'}`);

test('the WebKit test has WebKitGTK and xvfb-run, or is allowed to go without', () => {
	expect(webkitMissing.length === 0 || !required, `${webkitMissing.join(', ')} required (REFTRACE_REQUIRE_BROWSER=1) but missing`).toBe(true);
});

/**
 * The example page as WebKit gets it, at a URL with `?reftrace=full`: classic WebDriver has no console
 * access, so the page is served with a script that records the console calls (the recorder the Firefox
 * test installs through BiDi), run ahead of the app's module after `setup`.
 */
function webkitPage(name: string, setup: string): string {
	const html = readFileSync(join(scratch, 'index.html'), 'utf8').replace('<script type="module"', `<script>${setup}(${recordInPage.toString()})()</script>\n\t\t<script type="module"`);
	writeFileSync(join(scratch, name), html);
	return `${origin}/${name}?reftrace=full`;
}

// Allocation pressure, then a turn of the event loop for the finalizers: a page has no `gc()` in WebKit
// (WebKitGTK's build refuses JSC_useDollarVM, so there is no $vm.gc()), but its collector runs when the heap grows.
const ALLOCATE = 'const done = arguments[0]; let garbage = []; for (let i = 0; i < 200000; i++) garbage.push({ i, list: [i] }); garbage = null; setTimeout(() => done(recorded.length), 20);';

test.skipIf(webkitMissing.length > 0)(
	'in WebKit (JavaScriptCore): the stack-text path names the same source-mapped sites; the leak at collection under allocation pressure, checkLeaks, reftrace.dump(), and the tail-call warning',
	async () => {
		const webkit = await startWebKit();
		try {
			expect(webkit.version).toMatch(/^MiniBrowser \d+\.\d+/);
			await webkit.navigate(webkitPage('webkit.html', ''));
			const checked = await webkit.executeAsync<string>('example.checked.then(arguments[0])');
			const recordedNow = (): Promise<Logged[]> => webkit.execute<Logged[]>('return recorded');
			let logged = await recordedNow();
			// JavaScriptCore drops tail-calling frames, and reftrace says so once, at load.
			expect(logged.filter((m) => m.type === 'warning').map((m) => m.args.join(' '))).toEqual([`${TAIL_CALLS_WARNING} (REFTRACE_TAIL_CALLS)`]);
			const [double] = reports(logged).filter((r) => r.title.startsWith('reftrace: double-release:'));
			expect(double!.title).toBe('reftrace: double-release: ref #1 of GpuBuffer#1 was released twice');
			expect(double!.stacks.map((stack) => stack.split('\n')[0])).toEqual([expect.stringMatching(/^reftrace: disposed here/), expect.stringMatching(/^reftrace: first released/), expect.stringMatching(/^reftrace: tracked/)]);
			expect(double!.stacks.map((stack) => mappedFrames(stack)[0])).toEqual([site('double-destroy'), site('first-destroy'), site('palette')]);
			expect(double!.text).toMatch(/disposed here[^\n]*\n {4}http:\/\/127\.0\.0\.1:\d+\/app\.js:\d+:\d+\n {6}at resize \(/);
			expect(logged.flatMap((m) => m.args).join('')).not.toMatch(/\u001B\[/);
			expect(checked).toContain("checkLeaks() (this browser has no async context: after fn's first await");
			expect(checked).toMatch(/left 1 reference live, from 1 site/);
			expect(original(/GpuBuffer#\d+ has 1\/1 refs at (\S+)/.exec(checked)![1]!)).toBe(site('staging'));

			// The sparkles, dropped without destroy(), reported once the collector has taken them.
			const collectedLeaks = (): Report[] => reports(logged).filter((r) => r.title.includes('garbage-collected while live'));
			for (let i = 0; i < 50 && collectedLeaks().length < 3; i++) {
				await webkit.executeAsync(ALLOCATE);
				logged = await recordedNow();
			}
			expect(collectedLeaks().map((r) => r.title.replace(/#\d+/g, '#N').replace(/\d+ ms/, 'N ms'))).toEqual(
				Array(3).fill('reftrace: leak: ref #N of GpuBuffer#N (owner drawFrame) was garbage-collected while live, N ms after it was taken; its count is never given back, so GpuBuffer#N stays at 1'),
			);
			for (const leak of collectedLeaks()) expect(mappedFrames(leak.stacks[0]!)[0]).toBe(site('sparkle'));

			const before = logged.length;
			await webkit.execute('reftrace.dump()');
			logged = await recordedNow();
			const [dump] = reports(logged.slice(before));
			expect(dump!.title).toMatch(/^reftrace: live references \(reftrace\.dump\(\)\): 2 live refs and [34] collected while live, to [56] objects from 4 sites$/);
			expect(new Set(dump!.stacks.map((stack) => mappedFrames(stack)[0]))).toEqual(new Set([site('sparkle'), site('new-palette'), site('staging')]));
			const data = await webkit.execute<{ totals: { refs: number; collected: number }; violations: Record<string, number> }>('return reftrace.snapshot()');
			expect(data.totals.refs - data.totals.collected).toBe(2);
			expect(data.violations).toEqual({ 'double-release': 1, leak: 3 });
			const beforeReport = logged.length;
			await webkit.execute('reftrace.report()');
			logged = await recordedNow();
			expect(reports(logged.slice(beforeReport)).map((r) => r.title)).toEqual([expect.stringMatching(/^reftrace: leak report at reftrace\.report\(\): 2 live refs/)]);
			// The exit report on pagehide (dispatched in the page, as in Chromium), once; the JSON report asked for is refused, saying why.
			const beforeExit = logged.length;
			await webkit.execute("reftrace.configure({ reportPath: 'report.json' }); dispatchEvent(new Event('pagehide')); dispatchEvent(new Event('pagehide'));");
			logged = await recordedNow();
			expect(reports(logged.slice(beforeExit)).map((r) => r.title)).toEqual([expect.stringMatching(/^reftrace: leak report: 2 live refs/)]);
			expect(logged.slice(beforeExit).flatMap((m) => m.args)).toContain('reftrace: could not write the JSON report: Error: reftrace: a browser has no files to write; read reports with reftrace.snapshot() or reftrace.report() instead');
		} finally {
			await webkit.close();
		}
	},
	90_000,
);

test.skipIf(webkitMissing.length > 0)(
	"in WebKit without Error.captureStackTrace (older engines): stacks cut by the public function's name, the patched constructor's by its name in its source",
	async () => {
		const webkit = await startWebKit();
		try {
			await webkit.navigate(webkitPage('webkit-by-name.html', 'delete Error.captureStackTrace;'));
			const checked = await webkit.executeAsync<string>('example.checked.then(arguments[0])');
			await webkit.execute('reftrace.dump()');
			const logged = await webkit.execute<Logged[]>('return recorded');
			const [double] = reports(logged).filter((r) => r.title.startsWith('reftrace: double-release:'));
			// Each site's first frame is the app's: `new GpuBuffer(…)` is cut below `Instrumented`, `destroy()` below `destroy`.
			expect(double!.stacks.map((stack) => mappedFrames(stack)[0])).toEqual([site('double-destroy'), site('first-destroy'), site('palette')]);
			expect(double!.text).toContain('held by http://');
			expect(original(/GpuBuffer#\d+ has 1\/1 refs at (\S+)/.exec(checked)![1]!)).toBe(site('staging'));
			expect(checked).toContain('owners: loadScene');
			const dump = reports(logged).find((r) => r.title.startsWith('reftrace: live references (reftrace.dump()):'))!;
			expect(dump.title).toMatch(/from 4 sites$/);
			expect(new Set(dump.stacks.map((stack) => mappedFrames(stack)[0]))).toEqual(new Set([site('sparkle'), site('new-palette'), site('staging')]));
		} finally {
			await webkit.close();
		}
	},
	60_000,
);

test.skipIf(webkitMissing.length > 0)('in a WebKit module worker: reports from the worker, which is thread 1 with its own id, its site source-mapped', async () => {
	// The worker's console is out of WebDriver's reach: the bundle starts by recording it, and ends by posting
	// the record to the page, after the fixture's own message.
	await bundle('test/fixtures/browser-worker.mjs', 'webkit-worker.js', {
		banner: { js: `(${recordInPage.toString()})();` },
		footer: { js: 'postMessage({ recorded: globalThis.recorded });' },
	});
	writeFileSync(
		join(scratch, 'webkit-worker.html'),
		"<!doctype html><script type=module>const w = new Worker('webkit-worker.js', { type: 'module' }); const got = []; globalThis.fromWorker = new Promise((resolve) => w.onmessage = (e) => got.push(e.data) === 2 && resolve(got));</script>",
	);
	const webkit = await startWebKit();
	try {
		await webkit.navigate(`${origin}/webkit-worker.html`);
		const [ids, { recorded: logged }] = await webkit.executeAsync<[{ pid: number; threadId: number; commands: string }, { recorded: Logged[] }]>('fromWorker.then(arguments[0])');
		expect(ids.threadId).toBe(1);
		expect(ids.commands).toBe('function');
		expect(ids.pid).not.toBe(await webkit.execute<number>('return Math.round(performance.timeOrigin * 1000) % 2 ** 31'));
		const [double] = reports(logged);
		expect(double!.title).toBe('reftrace: double-release: ref #1 of WorkerSocket#1 was released twice');
		expect(double!.text).toContain('thread 1');
		expect(logged.filter((m) => m.type === 'warning').map((m) => m.args.join(' '))).toEqual([`${TAIL_CALLS_WARNING} (REFTRACE_TAIL_CALLS)`]);
		const workerMap = new SourceMap(JSON.parse(readFileSync(join(scratch, 'webkit-worker.js.map'), 'utf8')));
		expect(original(double!.stacks[0]!.split('\n')[1]!, workerMap)).toBe(siteOf(new URL('fixtures/browser-worker.mjs', import.meta.url).href, 'worker-double'));
	} finally {
		await webkit.close();
	}
}, 60_000);

const CORE = new URL('fixtures/browser-core.mjs', import.meta.url).href;

test.skipIf(webkitMissing.length > 0)(
	"in WebKit, plain and minified: every way of taking a reference and each misuse names the app's line, never reftrace's own frames (JavaScriptCore drops the frames of functions ending in a call)",
	async () => {
		const webkit = await startWebKit();
		try {
			for (const minify of [false, true]) {
				const file = minify ? 'core.min.js' : 'core.js';
				await bundle('test/fixtures/browser-core.mjs', file, { minify });
				writeFileSync(join(scratch, `${file}.html`), `<!doctype html><script>(${recordInPage.toString()})()</script><script type=module src=${file}></script>`);
				await webkit.navigate(`${origin}/${file}.html?reftrace=full`);
				await webkit.execute('reftrace.dump()');
				const logged = await webkit.execute<Logged[]>('return recorded');
				const coreMap = new SourceMap(JSON.parse(readFileSync(join(scratch, `${file}.map`), 'utf8')));
				const sites = (report: Report | undefined): string[] => (report?.stacks ?? []).map((stack) => original(stack.split('\n')[1]!, coreMap));
				const found = reports(logged);
				const violation = (kind: string): Report | undefined => found.find((r) => r.title.startsWith(`reftrace: ${kind}:`));
				const core = (marker: string): string => siteOf(CORE, marker);
				expect(sites(violation('acquire-after-release'))[0], `${file}: acquire-after-release`).toBe(core('core-acquire-after-release'));
				expect(sites(violation('double-move'))[0], `${file}: double-move`).toBe(core('core-double-move'));
				expect(sites(violation('acquire-after-revoke'))[0], `${file}: acquire-after-revoke`).toBe(core('core-move-after-revoke'));
				expect(sites(violation('on-zero-failed'))[0], `${file}: on-zero-failed`).toBe(core('core-on-zero'));
				const dump = found.find((r) => r.title.startsWith('reftrace: live references'));
				expect(new Set(sites(dump)), `${file}: the live references' sites`).toEqual(new Set([core('core-track'), core('core-move'), core('core-try-acquire'), core('core-revoke')]));
			}
		} finally {
			await webkit.close();
		}
	},
	60_000,
);
