import type { Metadata } from "next";

export const metadata: Metadata = {
  title: "biometric-flow with Next.js",
};

export default function RootLayout({ children }: LayoutProps<"/">) {
  return (
    <html lang="en">
      <body>
        {/* The example's stand-in sign-in (app/users.ts): each session is recorded for the signed-in user. */}
        <p>
          Sign in as <a href="/api/login?user=alice">alice</a> or <a href="/api/login?user=bob">bob</a>, verify, then
          see <a href="/api/me">what the app recorded for you</a>.
        </p>
        {children}
      </body>
    </html>
  );
}
