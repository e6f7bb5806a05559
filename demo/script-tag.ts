// The element comes from the classic <script> of the CDN build before this module runs; this only
// wires the demo's controls.
import { mountDemo, showFailure } from './demo-page.js';

mountDemo().catch(showFailure);
