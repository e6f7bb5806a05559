// The handoff view's look, put in its box by the handoff's part (./handoff.ts) before the view
// (./handoff-view.ts) renders into it: in the decision chunk, which has room, rather than in the view's.
// A <style> of the box's own: lit binds nothing inside one, and the element's sheet does not know the view.
export const HANDOFF_STYLE = `.handoff{box-sizing:border-box;overflow:auto;padding:1em;display:flex;flex-direction:column;align-items:center;gap:.6em;text-align:center;background:Canvas}
.handoff h2{font-size:1.2em;margin:0}.handoff p{margin:0}.handoff svg{width:min(200px,60vw);background:#fff}
.handoff .code{font:700 1.8em monospace;letter-spacing:.15em}.handoff .row{display:flex;flex-wrap:wrap;justify-content:center;gap:.5em;width:min(100%,28em)}
.handoff input{flex:1 1 15em;min-width:0;font:inherit}
.handoff button{font:inherit;padding:.5em 1em;border-radius:var(--_radius);border:1px solid;background:none;color:inherit}`;
