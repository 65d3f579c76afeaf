import { afterEach, expect, test } from 'vitest';
import { checkLeaks, configure, instrument, isAdopted, LeakError, type DoubleReleaseError, type UseAfterReleaseError } from '../lib/index.js';
import { allowLeaks } from '../lib/vitest.js';
import { collectGarbage, collectViolations, lineOf, siteOf } from './helpers.js';

// The WebGPU recipe of docs/adapters.md, run against small stand-ins for GPUDevice, GPUBuffer and
// GPUTexture (no WebGPU here: headless Chromium has no GPU): a device makes buffers and textures, each
// given back by destroy(). The recipe's lines are the ones the doc shows.

afterEach(() => {
	configure({ mode: 'full', onViolation: 'report' });
});

class GPUBuffer {
	destroyed = false;
	constructor(readonly size: number) {}
	getMappedRange(): ArrayBuffer {
		return new ArrayBuffer(this.size);
	}
	unmap(): void {}
	destroy(): void {
		this.destroyed = true;
	}
}
class GPUTexture {
	destroy(): void {}
	createView(): object {
		return {};
	}
}
class GPUDevice {
	createBuffer(descriptor: { size: number }): GPUBuffer {
		return new GPUBuffer(descriptor.size);
	}
	createTexture(_descriptor: object): GPUTexture {
		return new GPUTexture();
	}
	createBufferLater(descriptor: { size: number }): Promise<GPUBuffer> {
		return Promise.resolve(new GPUBuffer(descriptor.size));
	}
}

// The recipe.
instrument(GPUBuffer, { shape: 'disposable', release: ['destroy'], methods: ['getMappedRange', 'unmap'], createdBy: [[GPUDevice.prototype, 'createBuffer']] });
instrument(GPUTexture, { shape: 'disposable', release: ['destroy'], methods: ['createView'], createdBy: [[GPUDevice.prototype, 'createTexture']] });

const device = new GPUDevice();

test('a buffer destroyed twice is a double release naming both destroys and the createBuffer call', () => {
	const seen = collectViolations();
	const buffer = device.createBuffer({ size: 16 }); // @create-buffer
	buffer.destroy(); // @first-destroy
	buffer.destroy(); // @second-destroy
	const error = seen[0] as DoubleReleaseError;
	expect(seen).toHaveLength(1);
	expect(error.kind).toBe('double-release');
	expect(lineOf(error.culprit.site)).toBe(siteOf(import.meta.url, 'second-destroy'));
	expect(error.earlier.map((p) => lineOf(p.event.site))).toEqual([siteOf(import.meta.url, 'first-destroy'), siteOf(import.meta.url, 'create-buffer')]);
	// The original destroy ran both times: the program does what it did.
	expect(buffer.destroyed).toBe(true);
});

test('getMappedRange on a destroyed buffer is a use after release', () => {
	const seen = collectViolations();
	const buffer = device.createBuffer({ size: 4 });
	buffer.destroy();
	buffer.getMappedRange(); // @late-map
	expect((seen[0] as UseAfterReleaseError).kind).toBe('use-after-release');
	expect(lineOf(seen[0]!.culprit.site)).toBe(siteOf(import.meta.url, 'late-map'));
});

test('a texture never destroyed is named by checkLeaks at its createTexture line; one dropped is reported when collected', async () => {
	let kept: GPUTexture | undefined;
	const error = await checkLeaks(() => {
		kept = device.createTexture({}); // @kept-texture
		device.createTexture({}).destroy();
	}).catch((e: unknown) => e);
	expect(error).toBeInstanceOf(LeakError);
	expect((error as LeakError).leaks.sites.map((s) => lineOf(s.site))).toEqual([siteOf(import.meta.url, 'kept-texture')]);
	kept!.destroy();

	allowLeaks();
	const leaks: LeakError[] = [];
	configure({ mode: 'full', onViolation: (e) => void (e instanceof LeakError && leaks.push(e)) });
	(() => {
		device.createBuffer({ size: 8 }); // @dropped-buffer
	})();
	await collectGarbage(() => leaks.length === 1);
	expect(leaks).toHaveLength(1);
	expect(lineOf(leaks[0]!.taken!.site)).toBe(siteOf(import.meta.url, 'dropped-buffer'));
});

test('what a creating method returns as a promise is not adopted; bad createdBy entries are refused before anything is patched', async () => {
	const buffer = await device.createBufferLater({ size: 2 });
	expect(isAdopted(buffer)).toBe(false);
	class Other {
		destroy(): void {}
	}
	expect(() => instrument(Other, { shape: 'disposable', release: ['destroy'], createdBy: [[GPUDevice.prototype, 'createSampler']] })).toThrow(
		new TypeError("Expected `createSampler` to be a method of createdBy's GPUDevice, got undefined"),
	);
	expect(() => instrument(Other, { shape: 'disposable', release: ['destroy'], createdBy: [GPUDevice.prototype] as never })).toThrow(
		new TypeError('Expected `createdBy` to be an array of [object, method name] pairs, got an array with other items'),
	);
	// Refused, so not instrumented: it can still be instrumented rightly.
	expect(() => instrument(Other, { shape: 'disposable', release: ['destroy'] })).not.toThrow();
});
