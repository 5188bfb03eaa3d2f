//! The HTTP load generator: persistent HTTP/1.1 connections, each sending one
//! check-in at a time, as a random person of the people file.
//!
//! Closed loop (no `--rate`): every connection sends as soon as it has its
//! answer, for the top rate. Open loop (`--rate`): request k is due at
//! start + k/rate and its latency counts from then, so a slow answer also
//! charges the requests it delayed (no coordinated omission).
use crate::seed::{Person, jitter, read_people};
use hdrhistogram::Histogram;
use http_body_util::{BodyExt, Full};
use hyper::{Request, body::Bytes, header};
use hyper_util::rt::TokioIo;
use rand::Rng;
use std::{
    cell::RefCell,
    io::Write,
    path::PathBuf,
    rc::Rc,
    time::{Duration, Instant},
};

#[derive(clap::Args)]
pub struct Args {
    /// host:port of the server.
    #[arg(long)]
    addr: String,
    #[arg(long)]
    people: PathBuf,
    #[arg(long, default_value_t = 64)]
    connections: usize,
    #[arg(long, default_value_t = 20.0)]
    seconds: f64,
    /// Requests per second in all (open loop); none = as fast as answered.
    #[arg(long)]
    rate: Option<f64>,
    /// Write every acknowledged (accepted) check-in id here.
    #[arg(long)]
    acks: Option<PathBuf>,
    /// A label for the summary line.
    #[arg(long, default_value = "load")]
    label: String,
}

#[derive(Default)]
struct Tally {
    sent: u64,
    ok: u64,
    accepted: u64,
    shed: u64,
    other: u64,
    errors: u64,
    acks: Vec<i64>,
}

#[derive(serde::Deserialize)]
struct Decision {
    id: i64,
    accepted: bool,
}

const UA: &str = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0.50";

type Res<T> = Result<T, Box<dyn std::error::Error>>;

pub async fn run(args: Args) -> Res<()> {
    let people = Rc::new(read_people(&args.people)?);
    let tally = Rc::new(RefCell::new(Tally::default()));
    let hist = Rc::new(RefCell::new(Histogram::<u64>::new_with_bounds(
        1, 60_000_000, 3,
    )?));
    let started = Instant::now();
    let end = started + Duration::from_secs_f64(args.seconds);
    let local = tokio::task::LocalSet::new();
    for w in 0..args.connections {
        let (people, tally, hist, addr) = (
            people.clone(),
            tally.clone(),
            hist.clone(),
            args.addr.clone(),
        );
        // Worker w sends requests w, w + n, w + 2n, … of the schedule.
        let interval = args
            .rate
            .map(|r| Duration::from_secs_f64(args.connections as f64 / r));
        let offset = args
            .rate
            .map(|r| Duration::from_secs_f64(w as f64 / r))
            .unwrap_or_default();
        local.spawn_local(async move {
            worker(addr, people, tally, hist, started + offset, interval, end).await;
        });
    }
    local.await;
    let secs = started.elapsed().as_secs_f64().min(args.seconds);
    let t = tally.borrow();
    let h = hist.borrow();
    let ms = |q: f64| h.value_at_quantile(q) as f64 / 1000.0;
    println!(
        "{}",
        serde_json::json!({
            "mode": args.label, "connections": args.connections, "rate": args.rate,
            "seconds": secs, "sent": t.sent, "ok": t.ok, "accepted": t.accepted,
            "shed_503": t.shed, "other_status": t.other, "errors": t.errors,
            "accepted_per_s": t.accepted as f64 / secs,
            "p50_ms": ms(0.5), "p99_ms": ms(0.99), "max_ms": h.max() as f64 / 1000.0,
        })
    );
    if let Some(path) = args.acks {
        let mut f = std::io::BufWriter::new(std::fs::File::create(path)?);
        for id in &t.acks {
            writeln!(f, "{id}")?;
        }
        f.flush()?;
    }
    Ok(())
}

type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

async fn connect(addr: &str) -> Option<Sender> {
    let stream = tokio::net::TcpStream::connect(addr).await.ok()?;
    stream.set_nodelay(true).ok()?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream))
        .await
        .ok()?;
    tokio::task::spawn_local(async move {
        let _ = conn.await;
    });
    Some(sender)
}

async fn worker(
    addr: String,
    people: Rc<Vec<Person>>,
    tally: Rc<RefCell<Tally>>,
    hist: Rc<RefCell<Histogram<u64>>>,
    first_due: Instant,
    interval: Option<Duration>,
    end: Instant,
) {
    let mut rng = rand::thread_rng();
    let mut sender: Option<Sender> = None;
    let mut due = first_due;
    loop {
        if interval.is_some() {
            tokio::time::sleep_until(due.into()).await;
        }
        let now = Instant::now();
        if now >= end {
            break;
        }
        let from = if interval.is_some() { due } else { now };
        if let Some(i) = interval {
            due += i;
        }
        if sender.is_none() {
            sender = connect(&addr).await;
            if sender.is_none() {
                tally.borrow_mut().errors += 1;
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        }
        let p = &people[rng.gen_range(0..people.len())];
        let (lat, lng) = jitter(&mut rng, p.lat, p.lng, 60.0);
        let accuracy = (rng.gen_range(50..300) as f64) / 10.0;
        let body = serde_json::json!({
            "filing_id": p.filing_id, "lat": lat, "lng": lng,
            "accuracy": accuracy, "device_key": p.device_key,
        })
        .to_string();
        let req = Request::post("/api/checkin")
            .header(header::HOST, &addr)
            .header(header::COOKIE, format!("bhly_session={}", p.cookie))
            .header(header::CONTENT_TYPE, "application/json")
            .header(header::ACCEPT, "application/json")
            .header(header::USER_AGENT, UA)
            .body(Full::new(Bytes::from(body)))
            .expect("request");
        tally.borrow_mut().sent += 1;
        let s = sender.as_mut().expect("connected");
        let answer = async {
            s.ready().await?;
            let resp = s.send_request(req).await?;
            let status = resp.status();
            let body = resp.into_body().collect().await?.to_bytes();
            Ok::<_, hyper::Error>((status, body))
        }
        .await;
        match answer {
            Ok((status, body)) => {
                let micros = from.elapsed().as_micros() as u64;
                let _ = hist.borrow_mut().record(micros.max(1));
                let mut t = tally.borrow_mut();
                match status.as_u16() {
                    200 => {
                        t.ok += 1;
                        if let Ok(d) = serde_json::from_slice::<Decision>(&body)
                            && d.accepted
                        {
                            t.accepted += 1;
                            t.acks.push(d.id);
                        }
                    }
                    503 => t.shed += 1,
                    _ => t.other += 1,
                }
            }
            Err(_) => {
                tally.borrow_mut().errors += 1;
                sender = None;
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        }
    }
}
