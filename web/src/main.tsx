/**
 * @module main: the web app's entry: the router, the query cache, the session (settled after the first render).
 * Pages are split: each route's code loads when it is first visited (`lazy`), so the first load carries only
 * the frame (the budget, ≤ 170 KB gzip, is asserted by scripts/web-build.test.ts).
 */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { createBrowserRouter, RouterProvider } from "react-router";
import { ApiError } from "./api/client";
import { createAuthenticator } from "./auth";
import { SessionProvider } from "./auth/session";
import { Home } from "./pages/Home";
import { Layout } from "./pages/Layout";
import { NotFound } from "./pages/NotFound";
import { RequireSession } from "./pages/RequireSession";
import "./styles.css";

const queryClient = new QueryClient({
	defaultOptions: {
		queries: {
			staleTime: 30_000,
			// A refusal (4xx) will not change by asking again; a network or server hiccup might.
			retry: (failures, error) => failures < 2 && !(error instanceof ApiError && (error.status ?? 500) < 500),
		},
		mutations: { retry: false },
	},
});

const router = createBrowserRouter([
	{
		element: <Layout />,
		children: [
			{ index: true, element: <Home /> },
			{ path: "sign-in", lazy: async () => ({ Component: (await import("./pages/SignIn")).SignIn }) },
			{
				element: <RequireSession />,
				children: [
					{
						path: "garden",
						lazy: async () => ({ Component: (await import("./garden/GardenPage")).GardenPage }),
					},
					{
						path: "feed",
						lazy: async () => ({ Component: (await import("./feed/FeedPage")).FeedPage }),
					},
					{
						path: "notifications",
						lazy: async () => ({
							Component: (await import("./notifications/NotificationsPage")).NotificationsPage,
						}),
					},
					{
						path: "orchard",
						children: [
							{
								index: true,
								lazy: async () => ({ Component: (await import("./orchard/OrchardPage")).OrchardPage }),
							},
							{
								path: ":userId",
								lazy: async () => ({
									Component: (await import("./orchard/ConversationPage")).ConversationPage,
								}),
							},
						],
					},
					// Anonymous Support and Guardians (web/src/support, web/src/guardians).
					{
						path: "support",
						lazy: async () => ({ Component: (await import("./support/SupportPage")).SupportPage }),
					},
					{
						path: "support/requests/:request_id",
						lazy: async () => ({ Component: (await import("./support/RequestPage")).RequestPage }),
					},
					{
						path: "guardians",
						lazy: async () => ({ Component: (await import("./guardians/QueuePage")).QueuePage }),
					},
					{
						path: "guardians/queue/:item_id",
						lazy: async () => ({ Component: (await import("./guardians/ReviewItemPage")).ReviewItemPage }),
					},
					{
						path: "guardians/appeals",
						lazy: async () => ({ Component: (await import("./guardians/AppealsPage")).AppealsPage }),
					},
					{
						path: "appeals",
						lazy: async () => ({ Component: (await import("./guardians/MyPenaltiesPage")).MyPenaltiesPage }),
					},
				],
			},
			// Groups and events, and Settings (issue 23): the goodbye page after deleting an account is for anyone.
			{
				children: [
					{
						path: "goodbye",
						lazy: async () => ({ Component: (await import("./settings/GoodbyePage")).GoodbyePage }),
					},
					{
						element: <RequireSession />,
						children: [
							{
								path: "groups",
								lazy: async () => ({ Component: (await import("./groups/GroupsPage")).GroupsPage }),
							},
							{
								path: "groups/:group_id",
								lazy: async () => ({ Component: (await import("./groups/GroupPage")).GroupPage }),
							},
							{
								path: "events/:event_id",
								lazy: async () => ({ Component: (await import("./groups/EventPage")).EventPage }),
							},
							{
								path: "settings",
								lazy: async () => ({ Component: (await import("./settings/SettingsPage")).SettingsPage }),
							},
						],
					},
				],
			},
			{ path: "*", element: <NotFound /> },
		],
	},
]);

const root = document.getElementById("root");
if (!root) throw new Error("no #root element");
const returnTo = (path: string) => void router.navigate(path, { replace: true });

void createAuthenticator().then((authenticator) =>
	createRoot(root).render(
		<StrictMode>
			<QueryClientProvider client={queryClient}>
				<SessionProvider authenticator={authenticator} onReturnTo={returnTo}>
					<RouterProvider router={router} />
				</SessionProvider>
			</QueryClientProvider>
		</StrictMode>,
	),
);
