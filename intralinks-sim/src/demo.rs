//! The seeded demo data room: credentials and the ids tests can rely on.
//!
//! Everything here is deterministic: every start and every
//! `POST /_sim/reset` gives the same ids, names, sizes and bytes (only
//! versions of entities changed after the seed, tokens, one-time passwords
//! and `errorId`s are random). The crate README has the full table.
//!
//! | Workspace | id | entry demands |
//! |---|---|---|
//! | [`MAIN_WORKSPACE`] | 701421 | nothing (securityLevel 1, no splash): `{}` gives ALLOW |
//! | [`SPLASH_WORKSPACE`] | 701422 | splash (with image) |
//! | [`SPLASH_QUESTION_WORKSPACE`] | 701423 | splash, then security question (level 5) |
//! | [`SPLASH_QUESTION_OTP_WORKSPACE`] | 701424 | splash, question, one-time password (level 2) |
//! | [`OTP_WORKSPACE`] | 701425 | one-time password only (level 6) |
//! | [`CONTENT_DECLARATION_WORKSPACE`] | 701426 | content declaration (PUBLIC/PRIVATE; pvpEnabled) |
//! | [`RISK_QUESTION_WORKSPACE`] | 701427 | security question (level 3, risk-assessed: always asked) |
//! | [`RISK_OTP_WORKSPACE`] | 701428 | one-time password (level 4, risk-assessed: always asked) |
//! | [`OTP_DELIVERY_WORKSPACE`] | 701429 | `OTP_DELIVERY_OPTION` on every entry request (level 6) |
//! | [`FOREIGN_WORKSPACE`] | 701499 | the demo user is no member: every call answers 400 `3-1` |
//!
//! Only the rooms that demand something need entry: the content of 701421
//! answers at once, the others answer 303 until entry reaches ALLOW.

/// OAuth `client_id` of the demo application.
pub const CLIENT_ID: &str = "demo-client";
/// OAuth `client_secret` of the demo application.
pub const CLIENT_SECRET: &str = "demo-secret";
/// The redirect URI the demo application registered: where the authorize
/// form sends the browser with the code when the authorize request names
/// none. Any `http` loopback URI (`127.0.0.1`, `[::1]`, `localhost`, any
/// port and path) is accepted as well, as RFC 8252 asks of native apps.
pub const REDIRECT_URI: &str = "http://127.0.0.1/intralinks/callback";
/// E-mail (login) of the demo user.
pub const EMAIL: &str = "demo@example.com";
/// Password of the demo user.
pub const PASSWORD: &str = "demo-password";
/// E-mail of Bob Review, REVIEWER of the main workspace in group
/// "1. Interest": a bidder who can log in as himself.
pub const REVIEWER_EMAIL: &str = "bob.review@example.com";
/// Password of [`REVIEWER_EMAIL`]. Every seeded person has one,
/// `<first name>-password` (alice-, bob-, carol-, dan-password).
pub const REVIEWER_PASSWORD: &str = "bob-password";
/// Password of `owner@elsewhere.example` (John, a member of the foreign room).
pub const OWNER_PASSWORD: &str = "owner-password";
/// The answer to every security question (compared case-insensitively,
/// surrounding blanks ignored).
pub const ANSWER: &str = "rosebud";
/// The `securityQuestionKey` the demo user is asked.
pub const SECURITY_QUESTION_KEY: &str = "NAME_OF_CHILDHOOD_SLED";
/// Global `userId` of the demo user.
pub const USER_ID: i64 = 9_620_005;

/// Main demo workspace "Demo API Workspace": securityLevel 1, no splash, no
/// content declaration, so it needs no entry: its content answers at once
/// (and entry with `{}` answers ALLOW). Holds the folder tree, the documents of
/// mixed sizes including the 1 GiB one, groups, members and permissions.
pub const MAIN_WORKSPACE: i64 = 701_421;
/// "Splash Only": a splash (text and GIF image) to accept, nothing else.
pub const SPLASH_WORKSPACE: i64 = 701_422;
/// "Splash and Question": splash, then the security question
/// (securityLevel 5). Its splash has no image.
pub const SPLASH_QUESTION_WORKSPACE: i64 = 701_423;
/// "Splash, Question and Password": splash, security question, then a
/// one-time password mailed to `/_sim/mailbox` (securityLevel 2): four POSTs.
pub const SPLASH_QUESTION_OTP_WORKSPACE: i64 = 701_424;
/// "Password Only": a one-time password, no splash (securityLevel 6).
pub const OTP_WORKSPACE: i64 = 701_425;
/// "Public and Private Content": no splash, securityLevel 1, `pvpEnabled`
/// "T": the first entry per user demands a content declaration.
pub const CONTENT_DECLARATION_WORKSPACE: i64 = 701_426;
/// "Risk-Assessed Question": securityLevel 3, a risk-assessed security
/// question; the simulator judges every login risky, so it always asks.
pub const RISK_QUESTION_WORKSPACE: i64 = 701_427;
/// "Risk-Assessed Password": securityLevel 4, a risk-assessed one-time
/// password; always asked, mailed to `/_sim/mailbox`.
pub const RISK_OTP_WORKSPACE: i64 = 701_428;
/// "Password Delivery to Choose": securityLevel 6, and entry answers
/// `OTP_DELIVERY_OPTION` (the user must choose how the one-time password
/// reaches them) to every request: no source shows the request that makes
/// the choice, so the simulator takes none.
pub const OTP_DELIVERY_WORKSPACE: i64 = 701_429;
/// "Someone Else's Deal": exists, but the demo user is not a member, so it
/// is not listed and every call on it answers 400 subCode `3-1`.
pub const FOREIGN_WORKSPACE: i64 = 701_499;

/// Root folder "Financials" (index 1) of the main workspace.
pub const FOLDER_FINANCIALS: i64 = 4_714_065_398;
/// "Financials/FY2023" (index 1.1).
pub const FOLDER_FY2023: i64 = 4_714_545_918;
/// "Financials/FY2023/Q4" (index 1.1.1): the third level.
pub const FOLDER_FY2023_Q4: i64 = 4_714_545_919;
/// "Financials/FY2024" (index 1.2), empty.
pub const FOLDER_FY2024: i64 = 4_714_545_920;
/// Root folder "Legal" (index 2).
pub const FOLDER_LEGAL: i64 = 4_714_065_399;
/// "Legal/Contracts" (index 2.1).
pub const FOLDER_CONTRACTS: i64 = 4_714_545_921;
/// Root folder "Data Tapes" (index 3), holding the large documents.
pub const FOLDER_DATA_TAPES: i64 = 4_714_065_400;

/// "Read me.txt" in Financials: 52 bytes of text.
pub const DOC_README: i64 = 5_368_709_121;
/// "Mutual NDA.txt" in Legal/Contracts: 1,668 bytes of text.
pub const DOC_NDA: i64 = 5_368_709_122;
/// "Q4 board pack.txt" in Financials/FY2023/Q4: 24,593 bytes of text (fourth level).
pub const DOC_BOARD_PACK: i64 = 5_368_709_123;
/// "Annual report 2023.dat" in Financials/FY2023: [`ANNUAL_REPORT_SIZE`]
/// generated bytes (seed [`ANNUAL_REPORT_SEED`]).
pub const DOC_ANNUAL_REPORT: i64 = 5_368_709_124;
/// "Loan tape.dat" in Data Tapes: the 1 GiB+ document, generated on the fly
/// by [`crate::content::fill`] with seed [`BIG_DOCUMENT_SEED`].
pub const DOC_BIG: i64 = 5_368_709_125;
/// "Cash flow sample.dat" in Data Tapes: 48 KiB generated bytes (seed
/// [`SAMPLE_SEED`]).
pub const DOC_SAMPLE: i64 = 5_368_709_126;

/// Size of [`DOC_BIG`]: 1 GiB and a few bytes more (not block-aligned).
pub const BIG_DOCUMENT_SIZE: u64 = 1_073_741_824 + 4_567;
/// Generator seed of [`DOC_BIG`].
pub const BIG_DOCUMENT_SEED: u64 = 0xB16D_0C00;
/// `fileHashDownload` of [`DOC_BIG`], precomputed (see the crate README).
pub const BIG_DOCUMENT_HASH: &str = "UuMLuvj5T9dIYh84astfApGqF7o=";
/// Size of [`DOC_ANNUAL_REPORT`]: 3 MiB and 17 bytes.
pub const ANNUAL_REPORT_SIZE: u64 = 3 * 1024 * 1024 + 17;
/// Generator seed of [`DOC_ANNUAL_REPORT`].
pub const ANNUAL_REPORT_SEED: u64 = 0x2023;
/// Size of [`DOC_SAMPLE`].
pub const SAMPLE_SIZE: u64 = 48 * 1024;
/// Generator seed of [`DOC_SAMPLE`].
pub const SAMPLE_SEED: u64 = 0x5A_3B1E;

/// Group "Internal" of the main workspace (demo user and two managers).
pub const GROUP_INTERNAL: i64 = 10_093_765;
/// Group "1. Interest" of the main workspace (the reviewer).
pub const GROUP_INTEREST: i64 = 18_180_962;
/// Group "2. Commit" of the main workspace (empty).
pub const GROUP_COMMIT: i64 = 18_180_982;

/// The demo user's membership of the main workspace (role MANAGER_PLUS).
pub const MEMBER_DEMO: i64 = 4_395_175_832;
/// Alice Hidden, HIDDEN_MANAGER of the main workspace.
pub const MEMBER_HIDDEN_MANAGER: i64 = 4_395_175_833;
/// Bob Review, REVIEWER of the main workspace.
pub const MEMBER_REVIEWER: i64 = 4_395_175_834;
/// Carol Publish, PUBLISHER of the main workspace.
pub const MEMBER_PUBLISHER: i64 = 4_395_175_835;
/// Dan Manager, MANAGER of the main workspace.
pub const MEMBER_MANAGER: i64 = 4_395_175_836;

/// The generated workspace, present only when [`crate::SimConfig::generated`]
/// (or the binary's `--generate`) asks for it; no entry requirement, the demo
/// user is its MANAGER_PLUS member.
pub const GENERATED_WORKSPACE: i64 = 701_430;
/// The id of the generated workspace's first folder; the others follow.
pub const GENERATED_FIRST_FOLDER: i64 = 4_714_700_000;
/// The id of the generated workspace's first document; the others follow.
pub const GENERATED_FIRST_DOCUMENT: i64 = 5_368_900_000;
/// The generated workspace's membership id of the demo user.
pub const GENERATED_MEMBER: i64 = 4_395_177_000;

/// "API Unit Test", the workspace the Intralinks Python SDK's own test suite
/// works in (its tests name this id), present only when
/// [`crate::SimConfig::sdk_test_room`] (or the binary's `--sdk-test-room`)
/// asks for it: no entry requirement, no description, the demo user its only
/// member (MANAGER_PLUS), no folder, document or group.
pub const SDK_TEST_WORKSPACE: i64 = 6_115_625;
/// The demo user's membership of [`SDK_TEST_WORKSPACE`].
pub const SDK_TEST_MEMBER: i64 = 4_395_178_000;
