import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { childEnv, packageRoot, siteOf } from './helpers.js';

// `reftrace html` in a real browser: Debian's chromium driven by puppeteer-core. Without the browser the
// test is skipped, saying so, unless REFTRACE_REQUIRE_BROWSER=1 (CI installs it), where that is a failure.
const CHROMIUM = '/usr/bin/chromium';
const present = existsSync(CHROMIUM);
const required = process.env['REFTRACE_REQUIRE_BROWSER'] === '1';
if (!present) console.warn(`html.test.ts: ${CHROMIUM} is missing; the browser test is ${required ? 'required (REFTRACE_REQUIRE_BROWSER=1) and fails' : 'skipped'}`);

// The functions given to `evaluate` run in the page; the project's types are Node's, so the few DOM names
// they use are declared here, for this file only.
interface PageElement {
	getAttribute(name: string): string | null;
	querySelector(selector: string): PageElement | null;
	readonly textContent: string | null;
}
interface PageCanvas {
	width: number;
	height: number;
	getContext(kind: '2d'): { drawImage(image: unknown, x: number, y: number): void; getImageData(x: number, y: number, w: number, h: number): { data: Uint8ClampedArray } } | null;
}
declare const document: { querySelectorAll(selector: string): Iterable<PageElement> & { length: number }; readonly scripts: { length: number }; createElement(tag: 'canvas'): PageCanvas };
declare const Image: new () => { src: string; width: number; height: number; decode(): Promise<void> };

const scratch = mkdtempSync(join(tmpdir(), 'reftrace-html-'));
const fixtureUrl = new URL('fixtures/trace-app.mjs', import.meta.url).href;
let browser: Browser | undefined;

beforeAll(async () => {
	if (present) browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
}, 60_000);

afterAll(async () => {
	await browser?.close();
});

test('the browser test has its browser, or is allowed to go without', () => {
	expect(present || !required, `${CHROMIUM} is required (REFTRACE_REQUIRE_BROWSER=1) but missing`).toBe(true);
});

test.skipIf(!present)('reftrace html draws lifelines, the move, the violation and the leak in one page that loads nothing else', async () => {
	const trace = join(scratch, 'trace.json');
	spawnSync(process.execPath, ['--expose-gc', '--import', 'reftrace/register', 'test/fixtures/trace-app.mjs'], { cwd: packageRoot, env: childEnv({ REFTRACE_TRACE: trace }) });
	const page = join(scratch, 'lifelines.html');
	writeFileSync(page, execFileSync(process.execPath, ['dist/bin.js', 'html', trace], { cwd: packageRoot, encoding: 'utf8' }));
	const tab = await browser!.newPage();
	const requests: string[] = [];
	await tab.setRequestInterception(true);
	tab.on('request', (request) => {
		requests.push(request.url());
		void request.continue();
	});
	await tab.goto(pathToFileURL(page).href);
	expect(requests).toEqual([pathToFileURL(page).href]);
	const drawn = await tab.evaluate(() => ({
		lives: [...document.querySelectorAll('#lifelines .life')].map((line) => line.getAttribute('class')),
		moves: document.querySelectorAll('#lifelines .move').length,
		marks: [...document.querySelectorAll('#lifelines .mark')].map((mark) => mark.querySelector('title')?.textContent ?? ''),
		objects: [...document.querySelectorAll('#lifelines .object')].map((label) => label.textContent),
		scripts: document.scripts.length,
	}));
	expect(drawn.lives).toEqual(['life open', 'life moved', 'life released', 'life leaked']);
	expect(drawn.moves).toBe(1);
	expect(drawn.objects).toEqual(['Pool#1']);
	expect(drawn.scripts).toBe(0);
	expect(drawn.marks).toHaveLength(2);
	expect(drawn.marks[0]).toContain(`at ${siteOf(fixtureUrl, 'double-release')}:`);
	expect(drawn.marks[1]).toMatch(/^ref #\d+ of Pool#1 \(owner request\) was garbage-collected while live/);
	const shot = await (await tab.$('#lifelines'))!.screenshot({ encoding: 'base64' });
	await tab.close();
	// The screenshot decoded by the browser itself: how much of the lifeline area is not background, and whether the leak's red is there.
	const decoder = await browser!.newPage();
	const pixels = await decoder.evaluate(async (png: string) => {
		const image = new Image();
		image.src = `data:image/png;base64,${png}`;
		await image.decode();
		const canvas = document.createElement('canvas');
		[canvas.width, canvas.height] = [image.width, image.height];
		const context = canvas.getContext('2d')!;
		context.drawImage(image, 0, 0);
		const { data } = context.getImageData(0, 0, image.width, image.height);
		let inked = 0;
		let red = 0;
		for (let i = 0; i < data.length; i += 4) {
			if (data[i]! < 240 || data[i + 1]! < 240 || data[i + 2]! < 240) inked++;
			if (Math.abs(data[i]! - 0xd6) < 12 && Math.abs(data[i + 1]! - 0x28) < 12 && Math.abs(data[i + 2]! - 0x28) < 12) red++;
		}
		return { inked, red, total: data.length / 4 };
	}, shot);
	await decoder.close();
	expect(pixels.total).toBeGreaterThan(10_000);
	expect(pixels.inked / pixels.total).toBeGreaterThan(0.01);
	expect(pixels.red).toBeGreaterThan(50);
	expect(readFileSync(page, 'utf8')).not.toMatch(/<script|https?:\/\/(?!www\.w3\.org\/2000\/svg)/);
}, 60_000);
