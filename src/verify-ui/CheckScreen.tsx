// The Check tab: drop or pick any MP4, MOV or WebM and see, offline, which of
// Lantern's three AI-made labels it carries (XMP, C2PA, the invisible
// watermark) and what each finding means. Nothing leaves the device.
import { createSignal, For, Match, Show, Switch } from 'solid-js';
import { useModels } from '../state/models-state';
import { type VerifyReport, verifyFile } from '../verify/check-file';

type Status =
  | { kind: 'idle' }
  | { kind: 'checking'; name: string }
  | { kind: 'done'; report: VerifyReport }
  | { kind: 'failed'; name: string; message: string };

export function CheckScreen(props: { hidden: boolean }) {
  const models = useModels();
  const [status, setStatus] = createSignal<Status>({ kind: 'idle' });
  const [dragging, setDragging] = createSignal(false);
  const check = async (file: File): Promise<void> => {
    setStatus({ kind: 'checking', name: file.name });
    try {
      const report = await verifyFile(
        file,
        models.state.models.map((m) => m.id),
      );
      setStatus({ kind: 'done', report });
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      setStatus({ kind: 'failed', name: file.name, message: `${e.name}: ${e.message}` });
    }
  };
  const onDrop = (event: DragEvent): void => {
    event.preventDefault();
    setDragging(false);
    const file = event.dataTransfer?.files[0];
    if (file !== undefined) void check(file);
  };
  return (
    <main id="screen-check" role="tabpanel" aria-labelledby="tab-check" hidden={props.hidden} class="check-screen">
      <section class="panel">
        <h2>Check a video</h2>
        <p class="hint">
          Reads the labels Lantern puts on every clip: XMP metadata, a signed C2PA manifest and an invisible watermark in the pixels. Works on any MP4, MOV or
          WebM, offline; the file stays on this device.
        </p>
        <label
          class="drop-zone"
          classList={{ dragging: dragging() }}
          onDragOver={(event) => {
            event.preventDefault();
            setDragging(true);
          }}
          onDragLeave={() => setDragging(false)}
          onDrop={onDrop}
        >
          Drop a video here, or choose one:{' '}
          <input
            type="file"
            id="check-file"
            accept="video/mp4,video/webm,video/quicktime,.mp4,.webm,.mov,.mkv"
            onChange={(event) => {
              const file = event.currentTarget.files?.[0];
              if (file !== undefined) void check(file);
            }}
          />
        </label>
      </section>
      <Switch>
        <Match when={status().kind === 'checking'}>
          <p role="status">Checking {(status() as { name: string }).name}…</p>
        </Match>
        <Match when={status().kind === 'failed'}>
          <div class="message error" role="alert">
            <strong>{(status() as { name: string }).name} could not be checked.</strong>
            <p>{(status() as { message: string }).message}</p>
          </div>
        </Match>
        <Match when={status().kind === 'done' ? (status() as { report: VerifyReport }).report : false}>{(report) => <CheckReport report={report()} />}</Match>
      </Switch>
    </main>
  );
}

function CheckReport(props: { report: VerifyReport }) {
  const found = {
    xmp: () => props.report.xmp.present,
    c2pa: () => props.report.c2pa.checked && props.report.c2pa.present,
    watermark: () => props.report.watermark.checked && props.report.watermark.found,
  };
  const rows = [
    { key: 'xmp', label: 'XMP metadata' },
    { key: 'c2pa', label: 'C2PA manifest' },
    { key: 'watermark', label: 'Invisible watermark' },
  ] as const;
  return (
    <section class="panel check-report" aria-live="polite" data-testid="check-report" data-verdict={props.report.meaning.verdict}>
      <h3>{props.report.file.name}</h3>
      <p class="check-headline">{props.report.meaning.headline}</p>
      <dl>
        <For each={rows}>
          {(row) => (
            <>
              <dt data-testid={`check-${row.key}`} data-found={String(found[row.key]())}>
                {row.label}: {found[row.key]() ? 'found' : 'not found'}
              </dt>
              <dd>{props.report.meaning[row.key]}</dd>
            </>
          )}
        </For>
      </dl>
      <Show when={props.report.c2pa.checked && props.report.c2pa.present && !props.report.c2pa.trusted}>
        <p class="hint">A self-made signing key does not chain to a C2PA trust list; see the README, "Provenance".</p>
      </Show>
    </section>
  );
}
