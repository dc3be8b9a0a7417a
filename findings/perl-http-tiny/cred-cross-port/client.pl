# redirspec live adapter for perl's LWP::UserAgent and HTTP::Tiny, default redirect handling.
# Usage: perl client.pl lwp|tiny METHOD URL BODY_FILE|"" HEADERS_FILE [COUNT]
# HEADERS_FILE holds one "Name: value" line per header. COUNT (default 1): the request is
# sent that many times in a row through one user agent object.
# Prints the delivered status on stdout and exits 0; prints the error on stderr and exits 1.
use strict;
use warnings;

my ($flavour, $method, $url, $body_file, $headers_file, $count) = @ARGV;
$count = 1 unless defined $count && $count =~ /^[1-5]$/;
my @headers;
open(my $hf, '<', $headers_file) or die "cannot read $headers_file: $!";
while (my $line = <$hf>) {
    $line =~ s/\r?\n\z//;
    next unless $line =~ /^([^:]+):\s*(.*)$/;
    push @headers, [$1, $2];
}
close $hf;
my $body;
if (defined $body_file && $body_file ne '') {
    open(my $bf, '<:raw', $body_file) or die "cannot read $body_file: $!";
    local $/;
    $body = <$bf>;
    close $bf;
}

if ($flavour eq 'lwp') {
    require LWP::UserAgent;
    require HTTP::Request;
    my $ua = LWP::UserAgent->new(timeout => 30);
    my $res;
    for (1 .. $count) {
        my $req = HTTP::Request->new($method => $url);
        $req->header($_->[0] => $_->[1]) for @headers;
        $req->content($body) if defined $body;
        $res = $ua->request($req);
        # LWP reports its own failures as responses marked with a Client-Warning header.
        if (my $warning = $res->header('Client-Warning')) {
            print STDERR $res->status_line, " ($warning)\n";
            exit 1;
        }
    }
    print $res->code, "\n";
    exit 0;
}

require HTTP::Tiny;
my $http = HTTP::Tiny->new(timeout => 30, proxy => undef, http_proxy => undef);
my %h = map { (lc $_->[0]) => $_->[1] } @headers;
my $res;
for (1 .. $count) {
    $res = $http->request($method, $url, { headers => \%h, (defined $body ? (content => $body) : ()) });
    # HTTP::Tiny reports its own failures as status 599.
    if ($res->{status} == 599) {
        print STDERR "599: $res->{content}\n";
        exit 1;
    }
}
print $res->{status}, "\n";
exit 0;
