// The package as a module: importing it registers <biometric-flow>. In an app this is
// `import 'biometric-flow'`; the demo imports the source so that Vite serves the code being worked on.
import '../src/index.js';
import { mountDemo, showFailure } from './demo-page.js';

mountDemo().catch(showFailure);
