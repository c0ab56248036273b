// Image-to-video: pick a start image (file picker, drag and drop, or paste
// anywhere on the page), see it fitted to the model's frame as the clip's
// first frame, or remove it. "Use this frame" on the player sets it too.
// A file that cannot be used is shown as its named error (ImageInputError).
import { onCleanup, onMount, Show } from 'solid-js';
import { useLantern } from '../state/generate-state';

function imageFrom(data: DataTransfer | null): File | null {
  if (data === null) return null;
  for (const item of Array.from(data.items)) {
    if (item.kind === 'file') {
      const file = item.getAsFile();
      if (file !== null) return file;
    }
  }
  return null;
}

export function StartImagePicker() {
  const { state, actions } = useLantern();
  let input: HTMLInputElement | undefined;
  const onPaste = (event: ClipboardEvent) => {
    const file = imageFrom(event.clipboardData);
    // Text pastes go to the text fields as usual; only files become the start image.
    if (file === null) return;
    event.preventDefault();
    void actions.setStartImage(file);
  };
  onMount(() => document.addEventListener('paste', onPaste));
  onCleanup(() => document.removeEventListener('paste', onPaste));

  return (
    <fieldset
      class="start-image"
      data-testid="start-image"
      onDragOver={(e) => {
        e.preventDefault();
        e.currentTarget.classList.add('dragging');
      }}
      onDragLeave={(e) => e.currentTarget.classList.remove('dragging')}
      onDrop={(e) => {
        e.preventDefault();
        e.currentTarget.classList.remove('dragging');
        const file = imageFrom(e.dataTransfer);
        if (file !== null) void actions.setStartImage(file);
      }}
    >
      <legend>
        <label for="start-image-file">Start image</label>
      </legend>
      <Show
        when={state.startImage}
        fallback={<p class="hint">Optional: drop, paste or pick an image to start the clip from. It is cropped to fill the frame.</p>}
      >
        {(image) => (
          <div class="start-image-chosen">
            <img src={image().url} alt={`Start image: ${image().name}`} data-testid="start-image-preview" width={64} height={64} />
            <span>
              The clip starts from <strong>{image().name}</strong>; the prompt steers the rest.
            </span>
            <button type="button" class="secondary" onClick={() => actions.clearStartImage()}>
              Remove
            </button>
          </div>
        )}
      </Show>
      <input
        id="start-image-file"
        ref={input}
        type="file"
        accept="image/png,image/jpeg,image/gif,image/webp,image/bmp,image/avif"
        onChange={(e) => {
          const file = e.currentTarget.files?.[0];
          if (file !== undefined) void actions.setStartImage(file);
          e.currentTarget.value = '';
        }}
      />
    </fieldset>
  );
}
