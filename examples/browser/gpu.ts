import { instrument } from 'reftrace';

/*
 * A hand-written stand-in for a GPU API's buffer handle (a WebGPU GPUBuffer, a WebGL buffer): memory that
 * only `destroy()` gives back. It draws into a 2D canvas so that the example runs without a GPU.
 */
class RawBuffer {
	destroyed = false;
	constructor(
		readonly label: string,
		readonly color: string,
	) {}

	/** Draws the buffer's contents as a square. */
	draw(context: Context2D, x: number, y: number): void {
		context.fillStyle = this.color;
		context.fillRect(x, y, 24, 24);
	}

	destroy(): void {
		this.destroyed = true;
	}
}

/** The few 2D-context members the example uses (the project's types are Node's, not the DOM's). */
export interface Context2D {
	fillStyle: string;
	fillRect(x: number, y: number, width: number, height: number): void;
	clearRect(x: number, y: number, width: number, height: number): void;
}

// One line adopts the class: each buffer made by `GpuBuffer` is a reference that `destroy()` gives back.
export const GpuBuffer = instrument(RawBuffer, { shape: 'disposable', release: ['destroy'], methods: ['draw'], name: 'GpuBuffer' });
