//! `tollgate up` and `tollgate serve`: open the data directory, build every stage, and serve
//! the data plane and the admin API until SIGINT/SIGTERM.

use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;

use tokio::net::TcpListener;

use super::{
    CliError, ListenArgs, ServeArgs, UpArgs, open_local, print, read_file, read_text, variables,
};
use crate::access::throttling::Limit;
use crate::admin::server::Admin;
use crate::admin::token::{server_token, write_admin_url};
use crate::control::{Control, DeployRequest};
use crate::gateway::Gateway;

/// Deploys the bundled example (or `--api FILE`) on the local store, then serves.
pub async fn up(args: UpArgs) -> Result<(), CliError> {
    crate::access::set_region(&args.listen.region);
    let control = open_local(&args.data.data_dir)?;
    for (name, file) in &args.functions {
        let (version, _) = control.publish(name, &read_file(file)?, None)?;
        print::version(&version);
    }
    let (definition, source_name) = match &args.api {
        Some(path) => (read_text(path)?, path.display().to_string()),
        None => {
            let (version, _) = control.publish(
                crate::bundled::CRUD_FUNCTION,
                crate::bundled::CRUD_WASM,
                Some("bundled example"),
            )?;
            print::version(&version);
            (
                crate::bundled::CRUD_DEFINITION.to_string(),
                "bundled example items.yaml".to_string(),
            )
        }
    };
    let answer = control.deploy(DeployRequest {
        definition,
        source_name: source_name.clone(),
        api_id: args.api_id.api_id.clone(),
        stage: args.stage.clone(),
        description: None,
        variables: variables(&args.vars),
    })?;
    print::deployed(&source_name, &answer.body);
    serve(control, &args.data.data_dir, &args.listen).await
}

/// Serves what the data directory holds.
pub async fn serve_data_dir(args: ServeArgs) -> Result<(), CliError> {
    crate::access::set_region(&args.listen.region);
    let control = open_local(&args.data.data_dir)?;
    serve(control, &args.data.data_dir, &args.listen).await
}

async fn bind(address: SocketAddr) -> Result<(TcpListener, SocketAddr), CliError> {
    let listener = TcpListener::bind(address)
        .await
        .map_err(|error| CliError::Io {
            context: format!("binding {address}"),
            error,
        })?;
    let bound = listener.local_addr().map_err(|error| CliError::Io {
        context: "reading the bound address".into(),
        error,
    })?;
    Ok((listener, bound))
}

async fn serve(control: Control, data_dir: &Path, listen: &ListenArgs) -> Result<(), CliError> {
    let account_limit = Limit {
        rate: listen.account_rate,
        burst: listen.account_burst,
    };
    let (listen, admin_listen) = (listen.listen, listen.admin_listen);
    let (gateway, errors) = Gateway::load(
        control.store().clone(),
        control.runtime().clone(),
        account_limit,
    )?;
    for error in &errors {
        tracing::error!(%error, "stage not served");
    }
    let served = gateway.deployed().stage_count();
    let gateway = Arc::new(gateway);
    let (token, generated) = server_token(data_dir).map_err(|error| CliError::Io {
        context: format!("the admin token in {}", data_dir.display()),
        error,
    })?;
    let (data_listener, data_address) = bind(listen).await?;
    let (admin_listener, admin_address) = bind(admin_listen).await?;
    let admin_url = format!("http://{admin_address}");
    write_admin_url(data_dir, &admin_url).map_err(|error| CliError::Io {
        context: format!("writing the admin address into {}", data_dir.display()),
        error,
    })?;
    tracing::info!(address = %data_address, admin = %admin_address, stages = served, "serving");
    if generated {
        println!(
            "admin token (saved in {}): {token}",
            data_dir.join("admin-token").display()
        );
    }
    // Scripts and tests read these lines to find the ports.
    println!("listening on http://{data_address}");
    println!("admin on {admin_url}");

    let admin = Arc::new(Admin {
        control,
        gateway: gateway.clone(),
        token,
    });
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let signal = tokio::spawn(async move {
        shutdown_signal().await;
        let _ = stop.send(true);
    });
    let wait = |mut stopped: tokio::sync::watch::Receiver<bool>| async move {
        let _ = stopped.wait_for(|stop| *stop).await;
    };
    let admin_server = crate::admin::server::serve(admin_listener, admin, wait(stopped.clone()));
    let data_server = crate::listener::serve(data_listener, gateway, wait(stopped));
    let (data, admin) = tokio::join!(data_server, admin_server);
    signal.abort();
    data.and(admin).map_err(|error| CliError::Io {
        context: "serving".into(),
        error,
    })
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = terminate => {}
    }
    tracing::info!("shutting down: finishing open requests");
}
