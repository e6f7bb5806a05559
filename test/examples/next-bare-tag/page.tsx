// Copied into the Next.js example as app/bare-tag/page.tsx by test/examples: the React 19 bare-tag recipe
// under server rendering, to show that its listeners are not attached by hydration (facebook/react#35446).
import { BareTag } from "./bare-tag";

export default function Page() {
  return (
    <main>
      <BareTag />
    </main>
  );
}
