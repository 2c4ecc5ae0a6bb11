//! Every public async call of the library yields a `Send + 'static`
//! future once its arguments are owned, so a service can `tokio::spawn` it.
//! This is a compile-time test: if one of these futures stops being `Send`,
//! this file no longer compiles. The futures are built, never polled.

use std::path::PathBuf;

use intralinks_ext::{DocumentRef, FixedAnswers, FolderRef, Intralinks, Secret};
use intralinks_sync::{self as sync, SyncOptions};

fn assert_send<T: Send + 'static>(_: T) {}

/// A reader that is `Send` but not `Sync`, as a web framework's request
/// body often is: `upload_from` must take it.
struct NotSync(std::marker::PhantomData<std::cell::Cell<u8>>);

impl tokio::io::AsyncRead for NotSync {
    fn poll_read(
        self: std::pin::Pin<&mut Self>,
        _: &mut std::task::Context<'_>,
        _: &mut tokio::io::ReadBuf<'_>,
    ) -> std::task::Poll<std::io::Result<()>> {
        std::task::Poll::Ready(Ok(()))
    }
}

#[test]
fn public_futures_are_send_and_static() {
    let il = Intralinks::builder("http://127.0.0.1:9")
        .token(Secret::new("t"))
        .expect("a client");
    let dir = PathBuf::from("unused");
    let options = SyncOptions::default();
    let doc = DocumentRef {
        workspace_id: 1,
        document_id: 2,
    };
    let folder = FolderRef {
        workspace_id: 1,
        folder_id: 3,
    };
    let owned =
        |f: &dyn Fn(Intralinks, PathBuf, SyncOptions)| f(il.clone(), dir.clone(), options.clone());
    owned(&|il, dir, options| {
        let _ = (&il, &dir, &options);
        assert_send(async move {
            let _ = (&dir, &options, doc, folder);
            sync::mirror(&il, 1, &dir, &options).await
        })
    });
    owned(&|il, dir, options| {
        let _ = (&il, &dir, &options);
        assert_send(async move {
            let _ = (&dir, &options, doc, folder);
            sync::push(&il, 1, &dir, &options).await
        })
    });
    owned(&|il, dir, options| {
        let _ = (&il, &dir, &options);
        assert_send(async move {
            let _ = (&dir, &options, doc, folder);
            sync::diff(&il, 1, &dir, &options).await
        })
    });
    owned(&|il, dir, options| {
        let _ = (&il, &dir, &options);
        assert_send(async move {
            let _ = (&dir, &options, doc, folder);
            il.download(doc, &dir, None).await
        })
    });
    owned(&|il, dir, options| {
        let _ = (&il, &dir, &options);
        assert_send(async move {
            let _ = (&dir, &options, doc, folder);
            il.document(1, 2).await
        })
    });
    owned(&|il, dir, options| {
        let _ = (&il, &dir, &options);
        assert_send(async move {
            let _ = (&dir, &options, doc, folder);
            il.upload(folder, &dir, None, None).await
        })
    });
    owned(&|il, dir, options| {
        let _ = (&il, &dir, &options);
        assert_send(async move {
            let _ = (&dir, &options, doc, folder);
            il.upload_from(folder, "n", tokio::io::empty(), 0, None)
                .await?;
            il.upload_from(folder, "n", NotSync(std::marker::PhantomData), 0, None)
                .await
        })
    });
    owned(&|il, dir, options| {
        let _ = (&il, &dir, &options);
        assert_send(async move {
            let _ = (&dir, &options, doc, folder);
            {
                let d = il.document(1, 2).await.expect("never run");
                let mut out = Vec::new();
                let _ = il.download_into(1, &d, &mut out, None).await;
                il.download_document(1, &d, &dir, None).await
            }
        })
    });
    owned(&|il, dir, options| {
        let _ = (&il, &dir, &options);
        assert_send(async move {
            let _ = (&dir, &options, doc, folder);
            il.put_new_version(doc, &dir, None, None).await
        })
    });
    owned(&|il, dir, options| {
        let _ = (&il, &dir, &options);
        assert_send(async move {
            let _ = (&dir, &options, doc, folder);
            il.start_entry(1).await
        })
    });
    owned(&|il, dir, options| {
        let _ = (&il, &dir, &options);
        assert_send(async move {
            let _ = (&dir, &options, doc, folder);
            il.start_entry_v1(1).await
        })
    });
    owned(&|il, dir, options| {
        let _ = (&il, &dir, &options);
        assert_send(async move {
            let _ = (&dir, &options, doc, folder);
            {
                let mut answers = FixedAnswers::default();
                let _ = il.enter(1, &mut answers).await;
                il.enter_v1(1, &mut answers).await
            }
        })
    });
    owned(&|il, dir, options| {
        let _ = (&il, &dir, &options);
        assert_send(async move {
            let _ = (&dir, &options, doc, folder);
            il.splash_v1(1).await
        })
    });
    owned(&|il, dir, options| {
        let _ = (&il, &dir, &options);
        assert_send(async move {
            let _ = (&dir, &options, doc, folder);
            il.exit_v1(1).await
        })
    });
    owned(&|il, dir, options| {
        let _ = (&il, &dir, &options);
        assert_send(async move {
            let _ = (&dir, &options, doc, folder);
            il.save_splash_image(1, &dir).await
        })
    });
    owned(&|il, dir, options| {
        let _ = (&il, &dir, &options);
        assert_send(async move {
            let _ = (&dir, &options, doc, folder);
            il.logout().await
        })
    });
    // A web login finished in a handler: the login kept between requests
    // and the redirect's query, both owned.
    assert_send(async move {
        let login = intralinks_ext::WebLogin::new("http://127.0.0.1:9", "app")?;
        let redirect = intralinks_ext::LoginRedirect::from_query("code=c&state=s")?;
        let keys = intralinks_ext::AppKeys {
            client_id: "app".into(),
            client_secret: Secret::new("s"),
        };
        Intralinks::builder("http://127.0.0.1:9")
            .login_web(keys, &login, &redirect)
            .await
    });
    owned(&|il, dir, options| {
        let _ = (&il, &dir, &options);
        assert_send(async move {
            let _ = (&dir, &options, doc, folder);
            {
                use futures_util::StreamExt;
                il.list_all_workspaces().collect::<Vec<_>>().await
            }
        })
    });
    owned(&|il, dir, options| {
        let _ = (&il, &dir, &options);
        assert_send(async move {
            let _ = (&dir, &options, doc, folder);
            intralinks_report::visible_workspaces(&il).await
        })
    });
    owned(&|il, dir, options| {
        let _ = (&il, &dir, &options);
        assert_send(async move {
            let _ = (&dir, &options, doc, folder);
            intralinks_ext::file_hash_of(&dir).await
        })
    });
    // Postings: a bulk upload, documents and versions in it, the reports.
    owned(&|il, dir, options| {
        let _ = (&il, &dir, &options);
        assert_send(async move {
            let _ = (&dir, &options, doc, folder);
            let wait = intralinks_ext::postings::ReportWait::default();
            let batch = il.open_bulk_upload(1, 2).await?;
            il.create_document_in_batch(batch, folder, "n").await?;
            il.upload_in_batch(batch, folder, &dir, None, None).await?;
            il.put_new_version_in_batch(batch, doc, &dir, None, None)
                .await?;
            il.put_version_in_batch(
                batch,
                doc,
                "v",
                "n",
                tokio::io::empty(),
                0,
                None,
                il.transfer_limits(),
                il.read_timeout(),
            )
            .await?;
            il.bulk_uploads(1).await?;
            il.batch_items(1, batch).await?;
            il.access_report(1, 2, &wait).await?;
            let member = intralinks_ext::people::NewMember::new("a@b.example");
            il.add_member(1, &member).await?;
            il.posting_access_report(1, batch, &wait).await
        })
    });
    // Rooms as code: plan, apply, and apply what was reviewed.
    let room =
        intralinks_room::RoomFile::parse("workspace: {name: R}\n", "r.yaml").expect("a room");
    let room_options = intralinks_room::Options::new(false);
    {
        let (il, room, room_options) = (il.clone(), room.clone(), room_options.clone());
        assert_send(async move { intralinks_room::plan(&il, &room, &room_options).await });
    }
    {
        let (il, room, room_options) = (il.clone(), room.clone(), room_options.clone());
        assert_send(async move { intralinks_room::apply(&il, &room, &room_options).await });
    }
    {
        let (il, room, room_options) = (il.clone(), room.clone(), room_options.clone());
        assert_send(async move {
            let reviewed = intralinks_room::plan(&il, &room, &room_options).await?;
            intralinks_room::apply_reviewed(&il, &room, &reviewed, &room_options).await
        });
    }
}
