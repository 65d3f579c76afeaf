import { instrument } from 'reftrace';

/** A class from an existing TypeScript codebase, counted by its own retain/release: it knows nothing of reftrace. */
class RawTexture {
	#refs = 1;
	constructor(readonly name: string) {}
	retain(): this {
		this.#refs++;
		return this;
	}
	release(): void {
		if (--this.#refs === 0) this.name.length; // the real one frees GPU memory here
	}
	get refs(): number {
		return this.#refs;
	}
}

/** The one changed line: the rest of the code base imports `Texture` from here as before. */
export const Texture = instrument(RawTexture, { shape: 'counted', retain: ['retain'], release: ['release'], name: 'Texture' });
export type Texture = InstanceType<typeof Texture>;
