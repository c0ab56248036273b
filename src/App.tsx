// The app shell. Not a feature: the first screen replaces the placeholder
// text when the engine lands.
export function App() {
  return (
    <main>
      <h1>Lantern</h1>
      <p>Text-to-video in your browser. The generator is not wired up yet.</p>
    </main>
  );
}
