use app::platform::{audit, session};
use clap::{Parser, Subcommand};
use server::{config::Config, demo, http, state};
use std::{net::SocketAddr, process::ExitCode, time::Duration};
use tracing_subscriber::{EnvFilter, fmt, prelude::*};

#[derive(Parser)]
#[command(name = "server", about = "标后履约监管 服务端")]
struct Cli {
    #[command(flatten)]
    config: Config,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the web app (the default).
    Serve {
        /// Listen address.
        #[arg(long, env = "LEPTOS_SITE_ADDR", default_value = "127.0.0.1:3000")]
        addr: SocketAddr,
        /// Load the demo data into an empty database first.
        #[arg(long, env = "DEMO_DATA", default_value_t = false)]
        demo: bool,
    },
    /// Audit-trail tools.
    Audit {
        #[command(subcommand)]
        command: AuditCommand,
    },
    /// A consistent copy of the database and the files into an empty folder
    /// (SQLite online with VACUUM INTO; PostgreSQL with pg_dump). The trail
    /// key is not included: keep it apart.
    Backup {
        #[arg(long)]
        to: std::path::PathBuf,
    },
    /// Restore a backup into an empty database and file store, then check
    /// the trail with the configured key.
    Restore {
        #[arg(long)]
        from: std::path::PathBuf,
    },
    /// The file store.
    Files {
        #[command(subcommand)]
        command: FilesCommand,
    },
    /// The alert rules.
    Alerts {
        #[command(subcommand)]
        command: AlertsCommand,
    },
}

#[derive(Subcommand)]
enum FilesCommand {
    /// Remove stored files no record points at (never one younger than the
    /// grace period: its record may be committing).
    Sweep {
        #[arg(long, default_value_t = 24)]
        older_than_hours: i64,
        /// Report what would be removed, remove nothing.
        #[arg(long)]
        dry_run: bool,
    },
}

#[derive(Subcommand)]
enum AlertsCommand {
    /// Evaluate every rule as of a day; print what was raised and cleared.
    Evaluate {
        /// The day (YYYY-MM-DD); default today (Beijing time).
        #[arg(long)]
        as_of: Option<chrono::NaiveDate>,
    },
}

#[derive(Subcommand)]
enum AuditCommand {
    /// Walk the hash chain; exit 1 and name the first bad entry if tampered.
    Verify {
        /// Also check a head kept from 链头公示 (printed or exported): its
        /// sequence number …
        #[arg(long, requires = "hash")]
        seq: Option<i64>,
        /// … and its hash.
        #[arg(long, requires = "seq")]
        hash: Option<String>,
    },
}

#[tokio::main]
async fn main() -> ExitCode {
    tracing_subscriber::registry()
        .with(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,tower_sessions=warn".into()),
        )
        .with(fmt::layer())
        .init();
    let cli = Cli::parse();
    let mut settings = match cli.config.settings() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("配置错误：{e}");
            return ExitCode::from(2);
        }
    };
    // The demo is for trying the system: a second factor is offered, not
    // imposed, unless TWO_FACTOR says otherwise.
    if matches!(cli.command, Some(Command::Serve { demo: true, .. }))
        && cli.config.two_factor.is_none()
    {
        settings.two_factor_required = false;
    }
    match cli.command.unwrap_or(Command::Serve {
        addr: default_addr(),
        demo: false,
    }) {
        Command::Serve { addr, demo } => match cli.config.tls() {
            Ok(tls) => serve(settings, addr, demo, tls).await,
            Err(e) => {
                eprintln!("配置错误：{e}");
                ExitCode::from(2)
            }
        },
        Command::Audit {
            command: AuditCommand::Verify { seq, hash },
        } => verify(settings, seq.zip(hash)).await,
        Command::Backup { to } => match server::backup::backup(&settings, &to).await {
            Ok(m) => {
                println!(
                    "已备份到 {}：数据库（{}）、{} 个文件；留痕链头第 {} 条 {}。留痕密钥不在备份中，请另行保管。",
                    to.display(),
                    m.backend,
                    m.files,
                    m.head_seq,
                    m.head_hash
                );
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("备份失败：{e}");
                ExitCode::FAILURE
            }
        },
        Command::Restore { from } => match server::backup::restore(&settings, &from).await {
            Ok(r) => {
                println!("已恢复：留痕链完整，共 {} 条记录。", r.checked);
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("恢复失败：{e}");
                ExitCode::FAILURE
            }
        },
        Command::Files {
            command:
                FilesCommand::Sweep {
                    older_than_hours,
                    dry_run,
                },
        } => sweep(settings, older_than_hours, dry_run).await,
        Command::Alerts {
            command: AlertsCommand::Evaluate { as_of },
        } => evaluate(settings, as_of.unwrap_or_else(app::platform::time::today)).await,
    }
}

fn default_addr() -> SocketAddr {
    std::env::var("LEPTOS_SITE_ADDR")
        .ok()
        .and_then(|a| a.parse().ok())
        .unwrap_or(([127, 0, 0, 1], 3000).into())
}

async fn serve(
    settings: app::platform::settings::Settings,
    addr: SocketAddr,
    load_demo: bool,
    tls: Option<(std::path::PathBuf, std::path::PathBuf)>,
) -> ExitCode {
    let state = match state(settings, addr).await {
        Ok(s) => s,
        Err(e) => {
            tracing::error!(error = %e, "cannot open the database");
            return ExitCode::FAILURE;
        }
    };
    if load_demo {
        match demo::load(&state.db, &state.files).await {
            Ok(true) => {
                let history = async {
                    server::demo_history::load(&state.db, &state.files, &state.settings).await?;
                    server::demo_county::load(&state.db, &state.files, &state.settings).await?;
                    server::demo_orders::load(&state.db, &state.settings).await?;
                    server::demo_progress::load(&state.db, &state.files, &state.settings).await?;
                    server::demo_supervision::load(&state.db, &state.files, &state.settings)
                        .await?;
                    server::demo_evaluations::load(&state.db, &state.settings).await
                };
                let loaded = history.await;
                // The demo backdates some rows directly (no trail entry):
                // figures derived while it loaded are read afresh.
                state.db.cache.derived.clear();
                match loaded {
                    Ok(_) => tracing::info!("demo data loaded"),
                    Err(e) => {
                        tracing::error!(error = %e, "demo history failed");
                        return ExitCode::FAILURE;
                    }
                }
            }
            Ok(false) => tracing::info!("database already has users; demo data not loaded again"),
            Err(e) => {
                tracing::error!(error = %e, "demo data failed");
                return ExitCode::FAILURE;
            }
        }
    } else if let Ok(created) = demo::bootstrap_admin(&state.db).await {
        // Printed once, to the console only (not the log).
        for (login, password) in created {
            println!("首次启动：已创建管理员 {login}，初始密码 {password}（首次登录须修改）");
        }
    }
    // Other server processes on the same PostgreSQL database announce the
    // users and sessions they changed.
    state.db.listen_for_changes().await;
    let db = state.db.clone();
    tokio::spawn(async move {
        loop {
            tokio::time::sleep(Duration::from_secs(600)).await;
            let _ = session::delete_expired(&db).await;
        }
    });
    // The rule engine as of today, hourly: it raises and clears as dates
    // move on (the attendance rule reads the month just finished). The
    // trail's head is published once a day on the same beat.
    let engine = state.clone();
    tokio::spawn(async move {
        loop {
            let today = app::platform::time::today();
            if let Err(e) = audit::heads::publish_if_due(&engine.db, today).await {
                tracing::error!(error = %e, "publishing the trail head failed");
            }
            app::features::evaluate_rules(&engine).await;
            tokio::time::sleep(Duration::from_secs(3600)).await;
        }
    });
    let listener = match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => l,
        Err(e) => {
            tracing::error!(error = %e, %addr, "cannot listen");
            return ExitCode::FAILURE;
        }
    };
    tracing::info!("listening on http://{addr}");
    if load_demo {
        println!(
            "\n标后履约监管 已启动：http://{addr}\n演示账户（密码均为 {}）：",
            demo::DEMO_PASSWORD
        );
        for (login, name, _, role, _) in demo::ACCOUNTS {
            println!("  {login:<12} {name}  {}", role.label());
        }
        println!();
    }
    let app = http::router(state).into_make_service_with_connect_info::<SocketAddr>();
    if let Some((cert, key)) = tls {
        let _ = rustls::crypto::ring::default_provider().install_default();
        let config = match axum_server::tls_rustls::RustlsConfig::from_pem_file(&cert, &key).await {
            Ok(c) => c,
            Err(e) => {
                tracing::error!(error = %e, "cannot read TLS_CERT / TLS_KEY");
                return ExitCode::FAILURE;
            }
        };
        drop(listener);
        tracing::info!("serving HTTPS on https://{addr}");
        let handle = axum_server::Handle::new();
        let h = handle.clone();
        tokio::spawn(async move {
            shutdown().await;
            h.graceful_shutdown(Some(Duration::from_secs(10)));
        });
        return match axum_server::bind_rustls(addr, config)
            .handle(handle)
            .serve(app)
            .await
        {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                tracing::error!(error = %e, "server error");
                ExitCode::FAILURE
            }
        };
    }
    match axum::serve(listener, app)
        .with_graceful_shutdown(shutdown())
        .await
    {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            tracing::error!(error = %e, "server error");
            ExitCode::FAILURE
        }
    }
}

async fn shutdown() {
    let _ = tokio::signal::ctrl_c().await;
}

async fn evaluate(
    settings: app::platform::settings::Settings,
    as_of: chrono::NaiveDate,
) -> ExitCode {
    let db = match server::connect(&settings).await {
        Ok(db) => db,
        Err(e) => {
            eprintln!("无法连接数据库：{e}");
            return ExitCode::FAILURE;
        }
    };
    match app::features::evaluate_rules_as_of(&db, &settings, as_of).await {
        Ok(e) => {
            let out = &e.outcome;
            println!(
                "预警规则（截至 {as_of}）：新增 {} 条，消除 {} 条，自动督办 {} 件",
                out.raised.len(),
                out.cleared.len(),
                e.orders.len()
            );
            let on = |on: app::platform::rules::On| match on {
                app::platform::rules::On::Filing(id) => format!("项目 {id}"),
                app::platform::rules::On::Award(id) => format!("中标 {id}"),
            };
            for c in &out.raised {
                println!("  新增 [{}] {}：{}", c.rule, on(c.on), c.message);
            }
            for c in &out.cleared {
                println!("  消除 [{}] {}：{}", c.rule, on(c.on), c.message);
            }
            for no in &e.orders {
                println!("  督办 {no}");
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("预警规则运行失败：{e}");
            ExitCode::FAILURE
        }
    }
}

async fn sweep(settings: app::platform::settings::Settings, hours: i64, dry_run: bool) -> ExitCode {
    let run = async {
        let db = server::connect(&settings)
            .await
            .map_err(|e| e.to_string())?;
        let files = app::platform::storage::FileStore::from_settings(&settings)?;
        server::sweep::sweep(&db, &files, chrono::Duration::hours(hours.max(0)), dry_run).await
    };
    match run.await {
        Ok(r) => {
            println!(
                "文件 {} 个：被引用 {}，未引用但不足 {hours} 小时 {}，{} {} 个。",
                r.stored,
                r.referenced,
                r.young,
                if dry_run { "可清理" } else { "已清理" },
                r.removed.len()
            );
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("清理失败：{e}");
            ExitCode::FAILURE
        }
    }
}

async fn verify(
    settings: app::platform::settings::Settings,
    kept: Option<(i64, String)>,
) -> ExitCode {
    let db = match server::connect(&settings).await {
        Ok(db) => db,
        Err(e) => {
            eprintln!("无法连接数据库：{e}");
            return ExitCode::FAILURE;
        }
    };
    match audit::verify(&db).await {
        Ok(r) => match r.problem {
            None => {
                println!("留痕链完整：共 {} 条记录。", r.checked);
                let Some((seq, hash)) = kept else {
                    return ExitCode::SUCCESS;
                };
                match audit::check_published(&db, seq, &hash).await {
                    Ok(None) => {
                        println!("留存的链头（第 {seq} 条）与留痕一致。");
                        ExitCode::SUCCESS
                    }
                    Ok(Some(msg)) => {
                        println!("留存的链头对不上：{msg}");
                        ExitCode::FAILURE
                    }
                    Err(e) => {
                        eprintln!("校验失败：{e}");
                        ExitCode::FAILURE
                    }
                }
            }
            Some((seq, msg)) => {
                println!("留痕链异常：{msg}（序号 {seq}）");
                ExitCode::FAILURE
            }
        },
        Err(e) => {
            eprintln!("校验失败：{e}");
            ExitCode::FAILURE
        }
    }
}
