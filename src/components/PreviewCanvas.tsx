// The live preview: the engine's cheap decode of the current clean-clip
// estimate (a few pixels per latent cell), looped at the clip's own speed and
// scaled up by CSS.
import { createEffect, onCleanup } from 'solid-js';
import type { Preview } from '../../workers/contracts/generator';

export function PreviewCanvas(props: { preview: Preview; clipSeconds: number }) {
  let canvas: HTMLCanvasElement | undefined;
  createEffect(() => {
    const preview = props.preview;
    const context = canvas?.getContext('2d');
    if (canvas === undefined || context === null || context === undefined || preview.frames.length === 0) return;
    canvas.width = preview.width;
    canvas.height = preview.height;
    const images = preview.frames.map((frame) => new ImageData(new Uint8ClampedArray(frame), preview.width, preview.height));
    let index = 0;
    const draw = (): void => {
      const image = images[index % images.length];
      if (image !== undefined) context.putImageData(image, 0, 0);
      index++;
    };
    draw();
    const timer = setInterval(draw, Math.max(50, (props.clipSeconds * 1000) / images.length));
    onCleanup(() => clearInterval(timer));
  });
  return (
    <figure class="stage-item">
      <canvas ref={canvas} class="preview" aria-label="Live preview" role="img" data-step={props.preview.step} />
      <figcaption>
        Preview after step {props.preview.step} of {props.preview.steps}
      </figcaption>
    </figure>
  );
}
