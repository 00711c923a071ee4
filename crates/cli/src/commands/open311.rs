//! Keys of Open311 client systems: add one (its key is printed once), list them, revoke
//! one. The site's admin page does the same.

use anyhow::{bail, Context, Result};
use clap::Subcommand;
use gongzhi_app::{open311, AppError};
use gongzhi_store::{Store, StoreError};

#[derive(Subcommand)]
pub enum Open311Key {
    /// Give a client system a key; it is printed once, only its digest is kept.
    Add {
        /// The client system's name, as the admin page lists it.
        name: String,
        /// The code of the community, village or grid its requests go to.
        #[arg(long)]
        unit: String,
    },
    /// List the client systems: id, name, unit, when added, whether revoked.
    List,
    /// Revoke a client's key by the id `list` shows; it gets 403 from then on.
    Revoke { id: i64 },
}

pub async fn run(url: &str, command: &Open311Key) -> Result<()> {
    let store = Store::open(url).await?;
    match command {
        Open311Key::Add { name, unit } => {
            let unit = store.unit_by_code(unit).await?.with_context(|| format!("no unit with code `{unit}`"))?;
            let (client, key) = open311::add_client(&store, name, unit.id, None).await?;
            eprintln!("已添加 / added Open311 client {} ({}) posting to {}", client.id, client.name, client.unit_name);
            println!("{key}");
        }
        Open311Key::List => {
            let clients = store.open311_clients().await?;
            if clients.is_empty() {
                println!("没有 Open311 接入 / no Open311 clients");
            }
            for client in clients {
                let added = gongzhi_domain::time::display(client.created_at);
                let state = match client.revoked_at {
                    Some(at) => format!("revoked {}", gongzhi_domain::time::display(at)),
                    None => "active".into(),
                };
                println!("{:<6} {:<20} {:<12} {added}  {state}", client.id, client.name, client.unit_name);
            }
        }
        Open311Key::Revoke { id } => match open311::revoke_client(&store, *id, None).await {
            Ok(client) => println!("已吊销 / revoked the key of Open311 client {} ({})", client.id, client.name),
            Err(AppError::Store(StoreError::NotFound)) => bail!("no Open311 client with id {id}"),
            Err(error) => return Err(error.into()),
        },
    }
    Ok(())
}
