// docs/native.md: its React Native code is the example's files as they are (those are type-checked by
// test/examples/react-native.test.ts and played by test/e2e/native-app.test.ts; its backend block is a
// docs/snippets file, checked by docs-snippets.test.ts), each platform's section shows every step a
// native client needs, and the code nothing here compiles says so.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

const root = new URL('../../', import.meta.url);
const doc = readFileSync(new URL('docs/native.md', root), 'utf8');

/** The `## ` sections of the page, by title. */
const sections = new Map(
  doc
    .split(/^## /m)
    .slice(1)
    .map((part) => [part.slice(0, part.indexOf('\n')), part] as const),
);

function section(prefix: string): string {
  const entry = [...sections].find(([title]) => title.startsWith(prefix));
  assert.ok(entry, `docs/native.md has a section "${prefix}…"`);
  return entry[1];
}

describe('docs/native.md', () => {
  it('shows the React Native example files exactly as they are', () => {
    const marked = [...doc.matchAll(/^<!-- example: (examples\/[\w./-]+) -->\n```\w+\n([\s\S]*?)^```$/gm)];
    assert.deepEqual(
      marked.map((match) => match[1]),
      ['examples/react-native/App.tsx', 'examples/react-native/flow-links.ts'],
    );
    for (const [, path, code] of marked) assert.equal(code, readFileSync(new URL(path!, root), 'utf8'), `${path} as shown`);
  });

  // What each platform's code must do (issue 23): session from the backend, flow_url, camera for the
  // flow's origin only with the platform's declarations, inline media without a gesture, other links to
  // the system, the end by origin and exact path, the verdict from the backend, back/close, expiry, a
  // refused camera.
  const steps: Record<string, RegExp[]> = {
    'React Native': [
      /api\/biometric\/session/, /flow_url/, /android\.permission\.CAMERA/, /NSCameraUsageDescription/,
      /mediaCapturePermissionGrantType="grantIfSameHostElseDeny"/, /allowsInlineMediaPlayback/,
      /mediaPlaybackRequiresUserAction=\{false\}/, /Linking\.openURL/, /isFinishedUrl/, /Biometric-Status-Token/,
      /hardwareBackPress/, /expires_at/, /openSettings/,
    ],
    Flutter: [
      /webview_flutter/, /api\/biometric\/session/, /flow_url/, /onPermissionRequest/, /isFlowPage/,
      /allowsInlineMediaPlayback: true/, /setMediaPlaybackRequiresUserGesture\(false\)/, /launchUrl\(/,
      /onNavigationRequest/, /bool isFinished\(/, /Biometric-Status-Token/, /PopScope/, /expiresAt/,
      /Permission\.camera\.request\(\)/,
    ],
    'Android': [
      /api\/biometric\/session/, /flow_url/, /onPermissionRequest/, /request\.origin\.sameOrigin\(flow\)/,
      /mediaPlaybackRequiresUserGesture = false/, /Intent\.ACTION_VIEW/, /shouldOverrideUrlLoading/,
      /fun isFinished\(/, /Biometric-Status-Token/, /onBackPressedDispatcher/, /expired/, /no-camera/,
    ],
    'iOS': [
      /api\/biometric\/session/, /flowUrl/, /requestMediaCapturePermissionFor/, /isFlowOrigin/,
      /allowsInlineMediaPlayback = true/, /mediaTypesRequiringUserActionForPlayback = \[\]/,
      /UIApplication\.shared\.open/, /decidePolicyFor/, /func isFinished\(/, /Biometric-Status-Token/,
      /\.cancelled/, /\.expired/, /AVCaptureDevice\.authorizationStatus/,
    ],
  };
  for (const [platform, needles] of Object.entries(steps)) {
    it(`shows every step for ${platform}`, () => {
      const text = section(platform);
      const missing = needles.filter((needle) => !needle.test(text)).map(String);
      assert.deepEqual(missing, []);
      assert.doesNotMatch(text, /contains\("finished"\)|\.contains\('finished'\)|includes\('finished'\)/, 'never "contains finished"');
    });
  }

  it('says plainly which code is not compiled here', () => {
    for (const platform of ['Flutter', 'Android', 'iOS']) assert.match(section(platform), /^Not compiled here/m, platform);
    assert.match(doc, /\*\*not compiled here\*\*/);
  });

  it('is linked from the README', () => {
    // By its absolute URL, as the README links the repository's files (they work on npmjs.com too).
    assert.match(readFileSync(new URL('README.md', root), 'utf8'), /\]\(https:\/\/github\.com\/biometric-flow\/biometric-flow\/blob\/main\/docs\/native\.md\)/);
  });
});
