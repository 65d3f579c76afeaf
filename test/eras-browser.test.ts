import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';
import puppeteer from 'puppeteer-core';
import { expect, test } from 'vitest';
import { packageRoot } from './helpers.js';

// Chromium's V8 compresses pointers: its small integers stop at 2^30 - 1, half of Node's, and the eras
// (lib/clock.ts) are sized for it. Checked in Debian's chromium with V8's natives syntax; without the
// browser the test is skipped, saying so, unless REFTRACE_REQUIRE_BROWSER=1 (CI), where that fails.
const CHROMIUM = '/usr/bin/chromium';
const present = existsSync(CHROMIUM);
const required = process.env['REFTRACE_REQUIRE_BROWSER'] === '1';
if (!present) console.warn(`eras-browser.test.ts: ${CHROMIUM} is missing; the test is ${required ? 'required (REFTRACE_REQUIRE_BROWSER=1) and fails' : 'skipped'}`);

declare const erasResult: unknown;

test.skipIf(!present && !required)('in Chromium, past 2^31 references and ticks, entries and the quarantine store small integers, within its smaller range', async () => {
	const bundled = await build({ entryPoints: [join(packageRoot, 'test/fixtures/eras-page.mjs')], bundle: true, platform: 'browser', format: 'iife', write: false, logLevel: 'silent' });
	const code = bundled.outputFiles[0]!.text;
	const browser = await puppeteer.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox', '--disable-gpu', '--js-flags=--allow-natives-syntax'] });
	try {
		const page = await browser.newPage();
		const errors: string[] = [];
		page.on('pageerror', (error) => void errors.push(String(error)));
		await page.evaluate(code);
		const result = (await page.evaluate(() => erasResult)) as { smallUpTo: number | null; id: number; entrySmall: boolean; lateSmall: boolean; lateEras: number; sameEntryShape: boolean; ringNumbers: number; ringSmall: boolean };
		expect(errors).toEqual([]);
		// The range this test is about: if Chromium stopped compressing pointers, it would check less.
		expect(result.smallUpTo).toBe(2 ** 30 - 1);
		// The root and twenty acquires after the two references taken and the 2^31 + 12345 skipped.
		expect(result.id).toBe(2 ** 31 + 12345 + 2 + 1 + 20);
		expect(result.entrySmall).toBe(true);
		// At an era's end (its last ids, its last ticks doubled in the quarantine) too.
		expect(result.lateSmall).toBe(true);
		expect(result.lateEras).toBe(2);
		expect(result.sameEntryShape).toBe(true);
		expect(result.ringNumbers).toBe(16 * 2);
		expect(result.ringSmall).toBe(true);
	} finally {
		await browser.close();
	}
});
