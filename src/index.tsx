// App shell entry. The first screen (prompt, progress, player) arrives with
// the engine (issue #3); until then this only mounts the shell.
import { render } from 'solid-js/web';
import { App } from './App';

const root = document.getElementById('root');
if (root === null) throw new Error("Missing '#root' element in index.html.");
render(() => <App />, root);
