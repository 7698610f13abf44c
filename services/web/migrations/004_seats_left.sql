-- A seat given up keeps its row for a while (left_at): when an offering is withdrawn,
-- enrollment cancels its seats, and the web may see those cancellations before the
-- withdrawal itself (two topics, two consumers). The withdrawal then still finds whom to
-- tell. The mail job deletes seats left longer ago than that.
ALTER TABLE mail_seats ADD COLUMN left_at timestamptz;
